// `npm run bench:payouts-tron`: TRON payouts signed and broadcast per second by the TRON payout rail
// (src/rails/payout/tron/) against the full-node stand-in (test/fixtures/tron-standin.ts), which checks every
// transaction (signature, TaPoS, expiration, balance, bandwidth) before it accepts it. --payouts N (default 300)
// TRX payouts and N USDT payouts, --concurrency C at a time (default 8), each to a fresh address; a block is
// mined every 100 accepted transactions. Baseline in the same run: the same TRX transfers built, signed and
// broadcast with tronweb directly (sendTrx, trx.sign with the private key, sendRawTransaction), which skips
// the rail's reads (resources, balance, recipient, estimate) and checks. Prints plain lines and one JSON line.
import { parseArgs } from 'node:util';
import { TronWeb } from 'tronweb';
import { TronStandin, trx, trc20, randomTronAddress, testContractAddress } from '../test/fixtures/tron-standin.js';
import { NETWORKS } from '../src/rails/crypto/networks.js';
import { localSigner, newPrivateKeyHex } from '../src/rails/payout/signer.js';
import { Secret } from '../src/domain/secret.js';
import { tronPayoutRail } from '../src/rails/payout/tron/rail.js';

const { values: a } = parseArgs({
  options: { payouts: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '8' } },
  strict: true,
});
const N = Number(a.payouts);
const C = Number(a.concurrency);
if (!Number.isInteger(N) || N < 1 || N > 3000) throw new Error('--payouts must be a whole number from 1 to 3000');
if (!Number.isInteger(C) || C < 1 || C > 64) throw new Error('--concurrency must be a whole number from 1 to 64');

const USDT = testContractAddress('bench-usdt-trc20');
const node = await new TronStandin([USDT]).start();
node.mineEmpty(3);
const pk = newPrivateKeyHex();
const rail = tronPayoutRail(
  [
    {
      ...NETWORKS.find((n) => n.key === 'TRON')!,
      rpc: node.url,
      confirmations: 2,
      usdt: USDT,
      chainId: null,
      bitcoinNetwork: 'mainnet',
    },
  ],
  localSigner(new Secret(pk)),
);
const hot = rail.hotWalletAddress('TRON');
node.mine([trx(hot, 10n ** 15n), trc20(USDT, hot, 10n ** 15n)]);
node.mineEmpty(2);
node.stake(hot, { bandwidth: 10n ** 9n, energy: 10n ** 12n }); // fees are not what is measured

let accepted = 0;
const counted = () => {
  accepted += 1;
  if (accepted % 100 === 0) node.mineEmpty(1);
};

async function run(label: string, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) {
        const i = next++;
        await one(i);
        counted();
      }
    }),
  );
  const perSecond = N / ((performance.now() - t0) / 1000);
  console.log(`${label}: ${N} payouts, ${perSecond.toFixed(1)} per second (concurrency ${C})`);
  return perSecond;
}

const payout = (asset: string, i: number) => ({
  payoutId: `bench-${asset}-${i}`,
  network: 'TRON' as const,
  asset,
  to: randomTronAddress(),
  amount: 1_000_000n + BigInt(i),
});
const ctx = { nonce: null, reservedOutpoints: new Set<string>() };

const tw = new TronWeb({ fullHost: node.url, privateKey: pk });
const baseline = await run('tronweb directly (TRX: sendTrx, trx.sign, sendRawTransaction)', async (i) => {
  const tx = await tw.transactionBuilder.sendTrx(randomTronAddress(), 1_000_000 + i, hot);
  const r = await tw.trx.sendRawTransaction(await tw.trx.sign(tx, pk));
  if (!r.result) throw new Error(`baseline broadcast refused: ${JSON.stringify(r).slice(0, 200)}`);
});
const trxRate = await run('rail TRX (sign + broadcast)', async (i) => {
  const s = await rail.sign(payout('TRX', i), ctx);
  await rail.broadcast('TRON', s);
});
const usdtRate = await run('rail USDT (estimate + sign + broadcast)', async (i) => {
  const s = await rail.sign(payout('USDT', i), ctx);
  await rail.broadcast('TRON', s);
});
node.mineEmpty(1);
const inPool = node.pool.length;
await node.close();
const ratio = trxRate / baseline;
console.log(`rail TRX / tronweb directly: ${ratio.toFixed(2)}; transactions left unmined: ${inPool}`);
console.log(
  JSON.stringify({
    bench: 'payouts-tron',
    payouts: N,
    concurrency: C,
    baselinePerSecond: Number(baseline.toFixed(1)),
    trxPerSecond: Number(trxRate.toFixed(1)),
    usdtPerSecond: Number(usdtRate.toFixed(1)),
    ratioTrxToBaseline: Number(ratio.toFixed(2)),
  }),
);
