// `npm run bench:payouts-bitcoin`: Bitcoin payouts signed and broadcast per second by the payout rail
// (src/rails/payout/bitcoin) against the Esplora stand-in on 127.0.0.1, which checks every transaction with
// @scure/btc-signer (inputs, BIP143 signatures, amounts) before its mempool takes it. The baseline, measured in
// the same run in alternating rounds: the same one-input, two-output transactions built and signed with the
// library directly (`tx.sign(privateKey)`, no I/O, no checks). The ratio says what the rail's path costs on top:
// reading UTXOs and fee estimates over HTTP, signing through Secp256k1Signer, and the node's checks.
// Payouts are signed one after another (the sender signs under the hot wallet's row lock) with the kept
// reserved outpoints, and each is broadcast before the next is signed. Options: --payouts N (200), --rounds N (3).
import { parseArgs } from 'node:util';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { p2wpkh } from '@scure/btc-signer';
import { EsploraStandin } from '../test/fixtures/esplora-standin.js';
import { contextKeeper } from '../test/payout-rail-conformance.js';
import { bitcoinPayoutRail } from '../src/rails/payout/bitcoin/rail.js';
import { btcNetwork, destinationScript, hotWallet, unsignedPayout } from '../src/rails/payout/bitcoin/transaction.js';
import { localSigner, newPrivateKeyHex } from '../src/rails/payout/signer.js';
import { NETWORKS } from '../src/rails/crypto/networks.js';
import { Secret } from '../src/domain/secret.js';

const { values: a } = parseArgs({
  options: { payouts: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' } },
  strict: true,
});
const N = Number(a.payouts);
const ROUNDS = Number(a.rounds);
for (const [k, v] of Object.entries({ N, ROUNDS }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`bad option value for ${k}: ${v}`);

const NET = btcNetwork('regtest');
const newAddress = () => p2wpkh(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true), NET).address!;
const chain = await EsploraStandin.start(newAddress(), 3);
const keyHex = newPrivateKeyHex();
const key = Uint8Array.from(Buffer.from(keyHex, 'hex'));
const signer = localSigner(new Secret(keyHex));
const def = NETWORKS.find((n) => n.key === 'BITCOIN')!;
const rail = bitcoinPayoutRail(
  [{ ...def, rpc: chain.url, confirmations: 2, usdt: null, chainId: null, bitcoinNetwork: 'regtest' }],
  signer,
);
const wallet = hotWallet(signer.publicKey(), NET);
const hot = rail.hotWalletAddress('BITCOIN');
const AMOUNT = 100_000n;
const FUNDING = 150_000;

/** The same shape of transaction signed by the library alone: one P2WPKH input, payee and change. */
function librarySigned(): number {
  const recipients = Array.from({ length: N }, newAddress);
  const t0 = performance.now();
  for (const to of recipients) {
    const inputs = [{ txid: Buffer.from(secp256k1.utils.randomSecretKey()).toString('hex'), vout: 0, value: 150_000n }];
    const plan = { inputs, payScript: destinationScript(to, NET), amount: AMOUNT, change: 48_800n };
    const tx = unsignedPayout(plan, wallet);
    tx.sign(key);
    tx.finalize();
    tx.extract();
  }
  return N / ((performance.now() - t0) / 1000);
}

async function railSignedAndBroadcast(): Promise<{ perSecond: number; paid: number }> {
  chain.mine([{ outputs: Array.from({ length: N }, () => ({ address: hot, value: FUNDING })) }]);
  const keeper = contextKeeper('BITCOIN');
  const recipients = Array.from({ length: N }, newAddress);
  const t0 = performance.now();
  for (const [i, to] of recipients.entries()) {
    const s = await rail.sign(
      { payoutId: `bench-${i}`, network: 'BITCOIN', asset: 'BTC', to, amount: AMOUNT },
      await keeper.next(rail),
    );
    keeper.record(s);
    await rail.broadcast('BITCOIN', s);
  }
  const perSecond = N / ((performance.now() - t0) / 1000);
  chain.mineEmpty(1);
  const paid = recipients.filter((r) => chain.balanceOf(r) === AMOUNT).length;
  return { perSecond, paid };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const measured: number[] = [];
let paid = 0;
for (let r = 0; r < ROUNDS; r++) {
  base.push(librarySigned());
  const m = await railSignedAndBroadcast();
  measured.push(m.perSecond);
  paid += m.paid;
}
await chain.close();
const fmt = (x: number) => x.toFixed(1);
console.log(`Bitcoin payouts, ${N} per round, ${ROUNDS} rounds (median):`);
console.log(`  library alone (build + tx.sign, no I/O):          ${fmt(median(base))} tx/s`);
console.log(`  rail sign + broadcast (checked by the stand-in):  ${fmt(median(measured))} payouts/s`);
console.log(`  ratio rail / library:                             ${(median(measured) / median(base)).toFixed(3)}`);
console.log(`  paid exactly once after mining:                   ${paid} of ${N * ROUNDS}`);
if (paid !== N * ROUNDS) process.exitCode = 1;
