// `npm run bench:evm-watcher`: the EVM deposit watcher against a real local node (hardhat, started here)
// and an embedded PostgreSQL. Sends --deposits USDT transfers (default 200) to as many fresh order
// addresses with automining off, mines them into few blocks (at most --per-block each, default 300), then
// measures (1) deposits detected per second: from the mining call until every deposit is recorded
// `seen` (its order at 11), and (2) the delay from the confirming block (mined when the watcher already
// runs; TENDER_CONFIRMATIONS_ETHEREUM=3) to each webhook arriving at a local receiver (median, p95, max).
// Prints plain-text lines and one JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { encodeFunctionData, type Abi, type Hex } from 'viem';
import { startTestEnv, newMerchant, webhookReceiver, sleep } from '../test/harness.js';
import { startWebhookDispatcher } from '../src/workers/webhook-dispatcher.js';
import { startChainWatcher } from '../src/workers/chain-watcher.js';
import { createCryptoOrder } from '../src/core/crypto-orders.js';
import { findMerchant } from '../src/store/merchants-repo.js';
import { projectPath } from '../src/paths.js';

const { values: a } = parseArgs({
  options: { deposits: { type: 'string', default: '200' }, 'per-block': { type: 'string', default: '300' } },
  strict: true,
});
const N = Number(a.deposits);
const PER_BLOCK = Number(a['per-block']);
if (!Number.isInteger(N) || N < 1 || N > 5000) throw new Error('--deposits must be a whole number from 1 to 5000');
if (!Number.isInteger(PER_BLOCK) || PER_BLOCK < 1 || PER_BLOCK > 500)
  throw new Error('--per-block must be a whole number from 1 to 500');

const FUNDER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const artifact = JSON.parse(readFileSync(projectPath('test/fixtures/TestUSDT.json'), 'utf8')) as {
  abi: Abi;
  bytecode: Hex;
};
const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => res(p));
    });
  });
let rpcUrl = '';
async function rpc(method: string, params: unknown[] = []): Promise<any> {
  const r = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const j = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}
async function until(what: string, f: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

let node: ChildProcess | undefined;
try {
  const port = await freePort();
  rpcUrl = `http://127.0.0.1:${port}`;
  node = spawn(
    process.execPath,
    [
      projectPath('node_modules/hardhat/internal/cli/cli.js'),
      '--config',
      projectPath('test/fixtures/hardhat.config.cjs'),
      'node',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { cwd: projectPath('.'), env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' }, stdio: 'ignore' },
  );
  await until(
    'the hardhat node',
    () =>
      rpc('eth_blockNumber').then(
        () => true,
        () => false,
      ),
    60_000,
  );
  const deployTx = await rpc('eth_sendTransaction', [
    { from: FUNDER, data: artifact.bytecode + (10n ** 15n).toString(16).padStart(64, '0'), gas: '0x200000' },
  ]);
  const token = (await rpc('eth_getTransactionReceipt', [deployTx])).contractAddress as string;

  const root = HDKey.fromMasterSeed(
    mnemonicToSeedSync('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'),
  );
  const env = await startTestEnv({
    TENDER_XPUB_EVM: root.derive("m/44'/60'/0'").publicExtendedKey,
    TENDER_RPC_ETHEREUM: rpcUrl,
    TENDER_USDT_ETHEREUM: token,
    TENDER_CONFIRMATIONS_ETHEREUM: '3',
  });
  const rx = await webhookReceiver([{ status: 200, body: 'success' }]);
  const creds = await newMerchant(env, { callbackUrl: rx.url });
  const merchant = (await findMerchant(env.deps.db, String(creds.merchantId)))!;
  const net = env.deps.config.crypto.networks.find((n) => n.key === 'ETHEREUM')!;
  const addresses: string[] = [];
  for (let i = 0; i < N; i++) {
    const { address } = await createCryptoOrder(env.deps, merchant, {
      dialect: 'openapi',
      merchantTradeNo: `B-${i}`,
      userId: 'u',
      currency: 'USDT',
      amount: 10n ** 18n,
      amountText: '1',
      network: net.name,
      fingerprint: { i: String(i) },
    });
    addresses.push(address!);
  }
  const dispatcher = startWebhookDispatcher(env.deps, { pollMs: 20, batch: 50 });
  const watcher = startChainWatcher(env.deps, net, { pollMs: 20 });
  await until(
    'the watcher cursor',
    async () => (await env.deps.db.query('SELECT 1 FROM chain_cursors')).rowCount === 1,
  );

  await rpc('evm_setAutomine', [false]);
  let nonce = Number(await rpc('eth_getTransactionCount', [FUNDER, 'latest']));
  const mines: number[] = [];
  const sentAt = Date.now();
  for (let i = 0; i < N; i += PER_BLOCK) {
    const batch = addresses.slice(i, i + PER_BLOCK);
    await Promise.all(
      batch.map((to, j) =>
        rpc('eth_sendTransaction', [
          {
            from: FUNDER,
            to: token,
            gas: '0x186a0',
            nonce: `0x${(nonce + j).toString(16)}`,
            data: encodeFunctionData({ abi: artifact.abi, functionName: 'transfer', args: [to, 1_000_000n] }),
          },
        ]),
      ),
    );
    nonce += batch.length;
    await rpc('evm_mine');
    mines.push(Date.now());
  }
  const blocks = mines.length;
  const t0 = mines[0]!;
  const sendMs = t0 - sentAt;
  await until(
    'every deposit seen',
    async () => (await env.deps.db.query(`SELECT count(*)::int AS n FROM chain_deposits`)).rows[0].n >= N,
  );
  const detectMs = Date.now() - t0;

  await rpc('evm_mine');
  await rpc('evm_mine'); // the confirming block of the last batch: 3 confirmations
  const confirmingAt = Date.now();
  await rx.waitFor(N, 300_000);
  const delays = rx.calls.map((c) => c.at - confirmingAt);
  await watcher.stop();
  await dispatcher.stop();
  await rx.close();
  await env.close();

  const result = {
    deposits: N,
    blocks,
    detectMs,
    depositsPerSecond: Math.round((N / detectMs) * 1000),
    webhookDelayMs: { median: pct(delays, 50), p95: pct(delays, 95), max: Math.max(...delays) },
    sendMs,
  };
  console.log(
    `${N} USDT deposits in ${blocks} block(s): all seen ${detectMs} ms after the mining call → ` +
      `${result.depositsPerSecond} deposits/s`,
  );
  console.log(
    `confirming block → webhook received: median ${result.webhookDelayMs.median} ms, ` +
      `p95 ${result.webhookDelayMs.p95} ms, max ${result.webhookDelayMs.max} ms ` +
      `(confirm + ledger + webhook of ${N} orders)`,
  );
  console.log(JSON.stringify(result));
} finally {
  node?.kill('SIGTERM');
}
