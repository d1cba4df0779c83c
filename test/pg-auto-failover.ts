// A pg_auto_failover formation on loopback for tests (issue 14; recipe in shared/notes/pg-auto-failover.md): a
// monitor, a primary and a synchronous secondary, each `pg_autoctl run` in its own process group (run as the
// postgres user), with detection shortened so a failover takes seconds instead of about a minute.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, sleep } from './harness.js';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Why a formation cannot be made here, or undefined. */
export function autoFailoverUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (runs pg_autoctl as the postgres user)';
  try {
    execFileSync('which', ['pg_autoctl'], { stdio: 'ignore' });
  } catch {
    return 'pg_autoctl is not installed (apt-get install postgresql-15-auto-failover; .ci/run installs it)';
  }
  if (!existsSync(join(PG_BIN, 'postgres'))) return 'PostgreSQL 15 binaries are missing';
  return undefined;
}

export interface NodeState {
  name: string;
  port: number;
  state: string;
}

export interface Formation {
  /** `pg_autoctl show uri --formation default`: the multi-host URI, unchanged. */
  uri: string;
  /** As the monitor sees the data nodes (reported and assigned states equal). */
  nodes(): Promise<NodeState[]>;
  /** Waits until one node is primary and the other secondary; returns the primary's name. */
  waitStable(timeoutMs?: number): Promise<string>;
  /** kill -9 of the node's pg_autoctl process group (PostgreSQL included): a real failover follows. */
  kill(name: string): Promise<void>;
  /** `pg_autoctl run` again: the node rejoins (as secondary after a failover). */
  restart(name: string): void;
  /** Monitor log lines and each node's output, for a failing test. */
  output(): string;
  destroy(): Promise<void>;
}

export async function startFormation(log: (m: string) => void = () => {}): Promise<Formation> {
  const T = mkdtempSync(join(tmpdir(), 'tender-paf-'));
  chmodSync(T, 0o755);
  const home = join(T, 'pg');
  mkdirSync(join(home, 'run'), { recursive: true });
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  for (const d of [home, join(home, 'run')]) {
    chownSync(d, uid, gid);
    chmodSync(d, 0o700);
  }
  const envArgs = [
    `PATH=${PG_BIN}:/usr/bin:/bin`,
    `HOME=${home}`,
    `XDG_CONFIG_HOME=${home}/config`,
    `XDG_DATA_HOME=${home}/share`,
    `XDG_RUNTIME_DIR=${home}/run`,
    `PG_REGRESS_SOCK_DIR=${home}`,
    `PGHOST=${home}`,
  ];
  const asPg = ['-u', 'postgres', '--', 'env', ...envArgs];
  const ctl = async (args: string[], timeout = 120_000) =>
    (await run('runuser', [...asPg, 'pg_autoctl', ...args], { timeout, maxBuffer: 16 << 20 })).stdout;
  const runs = new Map<string, { child: ChildProcess; out: string }>();
  const startRun = (name: string) => {
    // detached: a process group of its own, so kill(-pid) takes pg_autoctl and its PostgreSQL together.
    const child = spawn('runuser', [...asPg, 'pg_autoctl', 'run', '--pgdata', join(home, name)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = { child, out: '' };
    const keep = (c: Buffer) => {
      r.out = (r.out + c.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    runs.set(name, r);
  };
  const ports = { monitor: await freePort(), node1: await freePort(), node2: await freePort() };
  const common = ['--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--auth', 'trust', '--ssl-self-signed'];

  const destroy = async () => {
    // Nodes first, monitor last (SIGTERM: PostgreSQL in the group stops too), then whatever is left.
    for (const name of ['node1', 'node2', 'monitor']) {
      const r = runs.get(name);
      if (r && r.child.exitCode === null && r.child.signalCode === null) {
        try {
          process.kill(-r.child.pid!, 'SIGTERM');
        } catch {
          /* gone */
        }
        await Promise.race([new Promise((res) => r.child.once('close', res)), sleep(15_000)]);
        try {
          process.kill(-r.child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    rmSync(T, { recursive: true, force: true });
  };

  try {
    log('creating the monitor');
    await ctl(['create', 'monitor', '--pgdata', join(home, 'monitor'), '--pgport', String(ports.monitor), ...common]);
    startRun('monitor');
    const monitorUri = await waitOutput(() =>
      ctl(['show', 'uri', '--pgdata', join(home, 'monitor'), '--formation', 'monitor']),
    );
    // Detection in seconds (the notes measured about 16 s from kill to promotion with these).
    const monitorSql = async (sql: string) =>
      // As the postgres superuser on the monitor's socket (the URI's autoctl_node may not change settings).
      run('runuser', [...asPg, 'psql', '-qAt', '-p', String(ports.monitor), '-d', 'pg_auto_failover', '-c', sql], {
        timeout: 30_000,
      });
    await waitOutput(async () => (await monitorSql('SELECT 1')).stdout);
    for (const [k, v] of [
      ['node_considered_unhealthy_timeout', 5000],
      ['primary_demote_timeout', 10000],
      ['health_check_period', 2000],
      ['health_check_timeout', 2000],
      ['health_check_retry_delay', 1000],
    ] as const)
      await monitorSql(`ALTER SYSTEM SET pgautofailover.${k} = ${v}`);
    await monitorSql('SELECT pg_reload_conf()');
    const nodes = async (): Promise<NodeState[]> => {
      const { stdout } = await monitorSql(
        "SELECT nodename || '|' || nodeport || '|' || reportedstate || '|' || goalstate FROM pgautofailover.node " +
          "WHERE formationid = 'default' ORDER BY nodeid",
      );
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [name, port, reported, goal] = l.split('|');
          return { name: name!, port: Number(port), state: reported === goal ? reported! : `${reported}→${goal}` };
        });
    };
    for (const name of ['node1', 'node2'] as const) {
      log(`creating ${name}`);
      await ctl([
        'create',
        'postgres',
        '--pgdata',
        join(home, name),
        '--pgport',
        String(ports[name]),
        '--name',
        name,
        '--dbname',
        'tender',
        '--monitor',
        monitorUri.trim(),
        ...common,
      ]);
      await ctl(['config', 'set', '--pgdata', join(home, name), 'timeout.network_partition_timeout', '5']);
      startRun(name);
      if (name === 'node1')
        await waitState(
          () => nodes(),
          (n) => n.some((x) => x.state === 'single'),
          120_000,
        );
    }
    const waitStable = async (timeoutMs = 180_000) => {
      const n = await waitState(
        nodes,
        (n) => n.some((x) => x.state === 'primary') && n.some((x) => x.state === 'secondary'),
        timeoutMs,
      );
      return n.find((x) => x.state === 'primary')!.name;
    };
    await waitStable();
    const uri = (await ctl(['show', 'uri', '--pgdata', join(home, 'monitor'), '--formation', 'default'])).trim();
    return {
      uri,
      nodes,
      waitStable,
      async kill(name) {
        const r = runs.get(name)!;
        process.kill(-r.child.pid!, 'SIGKILL');
        await new Promise((res) =>
          r.child.exitCode !== null || r.child.signalCode ? res(0) : r.child.once('close', res),
        );
        // A postmaster that left the group would keep the node up: kill it by the pid it recorded.
        const pidFile = join(home, name, 'postmaster.pid');
        const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
        if (pid > 0)
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone with its group */
          }
      },
      restart: startRun,
      output: () => [...runs].map(([n, r]) => `--- ${n}\n${r.out.slice(-4000)}`).join('\n'),
      destroy,
    };
  } catch (e) {
    const out = [...runs].map(([n, r]) => `--- ${n}\n${r.out.slice(-3000)}`).join('\n');
    await destroy();
    throw new Error(`pg_auto_failover formation failed: ${(e as Error).message}\n${out}`);
  }
}

async function waitOutput(f: () => Promise<string>, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = await f();
      if (s.trim()) return s;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await sleep(500);
  }
}

async function waitState(
  nodes: () => Promise<NodeState[]>,
  ok: (n: NodeState[]) => boolean,
  timeoutMs: number,
): Promise<NodeState[]> {
  const end = Date.now() + timeoutMs;
  let last: NodeState[] = [];
  for (;;) {
    try {
      last = await nodes();
      if (ok(last)) return last;
    } catch {
      /* the monitor is busy or restarting */
    }
    if (Date.now() > end) throw new Error(`formation state not reached: ${JSON.stringify(last)}`);
    await sleep(500);
  }
}
