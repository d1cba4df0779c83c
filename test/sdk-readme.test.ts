// sdk/README.md's quick start, run as written: a real Tender server process (`node dist/src/server.js`,
// what `npm start` runs), a merchant from the real CLI (`tender merchant create --json`), then the README's
// example programs — the files README.md includes verbatim, compiled by `npm run build` to
// sdk/examples/dist and importing the SDK by its package name '@tender/sdk'.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freshDatabase, sleep, freePort } from './harness.js';
import { projectPath } from '../src/paths.js';

const ROOT = projectPath('.');
const SDK = projectPath('sdk');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function run(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 60_000): Promise<Run> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((res) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    }),
  );
}

let server: ChildProcess | undefined;
let serverOut = '';
let dir: string;
let baseUrl: string;
let childEnv: NodeJS.ProcessEnv;
let merchant: Record<string, unknown>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tender-sdk-readme-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(clean))
    if (k.startsWith('TENDER_') || k === 'DATABASE_URL' || k === 'PORT' || k === 'HOST' || k === 'LOG_LEVEL')
      delete clean[k];
  childEnv = {
    ...clean,
    DATABASE_URL: await freshDatabase(),
    TENDER_DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    HOST: '127.0.0.1',
    TENDER_WORKER_POLL_MS: '100',
    LOG_LEVEL: 'warn',
  };
  server = spawn(process.execPath, [join(ROOT, 'dist/src/server.js')], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.setEncoding('utf8').on('data', (c: string) => (serverOut += c));
  server.stderr!.setEncoding('utf8').on('data', (c: string) => (serverOut += c));
  const end = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited ${server.exitCode}:\n${serverOut}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) })).status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`server not healthy:\n${serverOut}`);
    await sleep(100);
  }
  // The README's command, through the real CLI beside the running server.
  const cli = await run(
    [
      join(ROOT, 'bin/tender.mjs'),
      'merchant',
      'create',
      '--brand',
      'My Shop',
      '--company',
      'My Shop Ltd',
      '--website',
      'https://shop.example',
      '--email',
      'ops@shop.example',
      '--json',
    ],
    childEnv,
    ROOT,
  );
  assert.equal(cli.code, 0, cli.stderr);
  writeFileSync(join(dir, 'merchant.json'), cli.stdout);
  merchant = JSON.parse(cli.stdout) as Record<string, unknown>;
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('close', r));
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a compiled example in the directory holding merchant.json, as the README says; returns its last line as JSON.
 */
async function example(name: string): Promise<{ out: Run; result: any }> {
  const out = await run([join(SDK, 'examples/dist', `${name}.js`)], { ...childEnv, TENDER_URL: baseUrl }, dir);
  assert.equal(
    out.code,
    0,
    `${name} exited ${out.code}\nstderr:\n${out.stderr}\nstdout:\n${out.stdout}\nserver:\n${serverOut.slice(-3000)}`,
  );
  const lines = out.stdout.trim().split('\n');
  return { out, result: JSON.parse(lines[lines.length - 1]!) };
}

test('README.md is up to date with its template and includes every example file verbatim', async () => {
  const { renderReadme } = (await import(pathToFileURL(join(SDK, 'build-readme.mjs')).href)) as {
    renderReadme(): string;
  };
  const readme = readFileSync(join(SDK, 'README.md'), 'utf8');
  assert.equal(readme, renderReadme(), 'sdk/README.md is stale: run node sdk/build-readme.mjs');
  const blocks = [...readme.matchAll(/<!-- include: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)];
  const tsBlocks = [...readme.matchAll(/```ts\n/g)];
  assert.equal(
    blocks.length,
    tsBlocks.length,
    'every ```ts block of the README is an example file that the suite runs',
  );
  const files = readdirSync(join(SDK, 'examples'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `examples/${f}`)
    .sort();
  assert.deepEqual(blocks.map((b) => b[1]).sort(), files);
  for (const [, file, code] of blocks) assert.equal(`${code}\n`, readFileSync(join(SDK, file!), 'utf8'), file);
});

test('quick start: order, sandbox payment, verified webhook, order detail, balance, typed error', {
  timeout: 90_000,
}, async () => {
  const { out, result } = await example('quickstart');
  assert.match(out.stdout, new RegExp(`open ${baseUrl}/pay/\\S+ and press Pay \\(status 0\\)`));
  assert.match(out.stdout, /sandbox: success/);
  assert.match(out.stdout, /webhook: order \S+ status 14, received 12\.50 USDT/);
  assert.match(out.stdout, /refused: 10004 .+ \(traceid \d{12}X\d{7}\)/);
  assert.equal(result.webhookStatus, 14);
  assert.equal(result.detailStatus, 14);
  assert.deepEqual(
    result.balance.find((b: any) => b.currency === 'USDT'),
    { availableBalance: '12.50', freezeBalance: '0.00', cryptoCurrency: 'USDT', currency: 'USDT' },
  );
});

test('minimal example: start a payment, pay URL, watch', async () => {
  const { out, result } = await example('minimal');
  assert.match(
    out.stdout,
    new RegExp(`send the customer to ${baseUrl}/pay/\\S+\\?redirect=https%3A%2F%2Fshop\\.example%2Fback`),
  );
  assert.deepEqual(result, { status: 'created', amount: '1000' });
});

test('cinetpay example: init a payment, check it (pending)', async (t) => {
  // The CinetPay dialect is being added to the server; run the example once the server offers it.
  const probe = await fetch(`${baseUrl}/v2/payment/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const probeBody = await probe.text();
  if (typeof merchant.apikey !== 'string' || !/"code"\s*:\s*"\d+"/.test(probeBody)) {
    t.skip('this Tender has no CinetPay dialect yet (no /v2/payment/check or no apikey from `merchant create`)');
    return;
  }
  const { out, result } = await example('cinetpay');
  assert.match(out.stdout, new RegExp(`send the customer to ${baseUrl}/\\S+`));
  assert.deepEqual(result, { status: 'WAITING_FOR_CUSTOMER', amount: '1500', currency: 'XOF' });
});
