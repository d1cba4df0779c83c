// Runs a demo's toolchain as a child process with a timeout, feeding stdin and collecting stdout. Async, so
// the in-process Tender server and webhook dispatcher keep running while a demo works.
import { spawn, spawnSync } from 'node:child_process';

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    // Generous: two shared cores and several test files at once; a compile can take a while.
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} ended with ${code ?? signal}:\n${err}\n${out}`.slice(0, 8000)));
    });
    child.stdin.on('error', () => {}); // a child that exits early closes its stdin; its exit code tells the story
    child.stdin.end(o.input ?? '');
  });
}

/** Whether a tool is installed (for a skip reason, not a failure, when it is not). */
export function hasTool(cmd: string, versionArg: string): boolean {
  return spawnSync(cmd, [versionArg], { stdio: 'ignore' }).status === 0;
}
