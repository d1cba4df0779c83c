// Tender as a real OS process for crash tests: start `node dist/src/server.js` or the CLI with a clean
// environment, collect its output, wait for health, kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';
import { sleep } from './harness.js';
import { recordOutput } from './leak-record.js';

export const SERVER = join(projectPath('.'), 'dist/src/server.js');
export const CLI = join(projectPath('.'), 'bin/tender.mjs');

export interface Proc {
  name: string;
  child: ChildProcess;
  /** stdout and stderr interleaved. */
  out: () => string;
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: () => boolean;
}

/** Our environment minus anything that would point the child elsewhere, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env))
    if (k.startsWith('TENDER_') || k === 'DATABASE_URL' || k === 'PORT' || k === 'HOST' || k === 'LOG_LEVEL')
      delete env[k];
  return { ...env, HOST: '127.0.0.1', ...extra };
}

export function startProc(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    cwd: projectPath('.'),
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  let exited = false;
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    stdout += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (code, signal) => {
      // The process's whole output (logs, CLI answers, errors) for the leak scan (test/leak-record.ts).
      recordOutput('process', out);
      exited = true;
      res({ code, signal });
    }),
  );
  return { name, child, out: () => out, stdout: () => stdout, exit, exited: () => exited };
}

/** Runs the CLI to completion and returns its stdout; throws on a non-zero exit. */
export async function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const p = startProc(`tender ${args.join(' ')}`, [CLI, ...args], env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 60_000);
  const { code } = await p.exit;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`tender ${args.join(' ')} exited ${code}:\n${p.out()}`);
  return p.stdout();
}

/** Waits until GET url answers 200; fails early if the process dies. */
export async function waitHealthy(p: Proc, url: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (p.exited()) throw new Error(`${p.name} exited before ${url} answered:\n${p.out().slice(-4000)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${url} not healthy after ${timeoutMs} ms:\n${p.out().slice(-4000)}`);
    await sleep(100);
  }
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** JSON log records of a process's output (non-JSON lines skipped). */
export function logRecords(p: Proc): Array<Record<string, any>> {
  return p
    .out()
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, any>];
      } catch {
        return [];
      }
    });
}
