// As root, the embedded PostgreSQL runs as the `postgres` user, which must be able to walk down to its own
// binaries (under node_modules) and to the data directory. A checkout under `mktemp -d` (mode 0700) or a private
// home directory would stop it with EACCES at initdb. This gives each directory above `path` the search bit for
// others when it lacks it: they can pass through, never list or read.
import { chmodSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function letOthersTraverse(path: string): void {
  let dir = resolve(path);
  for (;;) {
    try {
      const mode = statSync(dir).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    } catch {
      // Not ours to change (or gone): PostgreSQL will report what it cannot reach.
    }
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}
