// A throwaway cluster of Debian's packaged PostgreSQL (like scripts/ci-debian-pg.sh): as root, owned by the
// `postgres` user, loopback TCP only. Tests that need to restart "the real thing" under Tender use it.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './harness.js';

const run = promisify(execFile);

export interface DebianCluster {
  url: string;
  /** `pg_ctl restart -m immediate`: every backend killed at once, crash recovery on start. */
  restartImmediate(): Promise<void>;
  destroy(): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** Why the cluster cannot be made here (not root, no packaged server, no postgres user), or undefined. */
export function debianClusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (runs the cluster as the postgres user)';
  if (!binDir()) return "Debian's postgresql package is not installed";
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    return 'no postgres user';
  }
  return undefined;
}

export async function startDebianCluster(): Promise<DebianCluster> {
  const bin = binDir()!;
  const asPg = (cmd: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { timeout: 120_000 });
  const work = mkdtempSync(join(tmpdir(), 'tender-debian-pg-'));
  const { stdout: ids } = await run('id', ['-u', 'postgres']);
  const { stdout: gids } = await run('id', ['-g', 'postgres']);
  chownSync(work, Number(ids), Number(gids));
  const data = join(work, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(work, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chownSync(pwfile, Number(ids), Number(gids));
  await asPg('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    `--pwfile=${pwfile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=reject',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
  ]);
  rmSync(pwfile);
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = ''\nmax_connections =` +
      ` 100\nfsync = off\n`,
  );
  const log = join(work, 'server.log');
  await asPg('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async restartImmediate() {
      await asPg('pg_ctl', ['-D', data, '-l', log, '-m', 'immediate', '-w', '-t', '60', 'restart']);
    },
    async destroy() {
      await asPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(work, { recursive: true, force: true });
    },
  };
}
