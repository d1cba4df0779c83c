// The Bitcoin payout rail (issue 11, spec M1): pays BTC from the operator's P2WPKH hot wallet through an
// Esplora API (TENDER_RPC_BITCOIN, the same one the deposit watcher reads). No database: the sender keeps
// the attempts and hands back, in SendContext.reservedOutpoints, the outpoints its unconfirmed payouts
// spend, which sign() never selects again, so concurrent payouts and restarts never double-spend.
//
// Verdict by txid: the node knows it confirmed (included, confirmations counted from the tip), in the mempool
// (pending), or not at all. An unknown transaction is `dropped` only when one of its inputs was spent by ANOTHER
// transaction that is confirmed to the network's depth: then it can never land. While that conflicting spend is
// shallower (a re-org could still undo it) the verdict stays unknown, which only lets the sender repeat the same
// bytes, never sign anew. The inputs of a transaction are known from sign() and from every broadcast()
// (which parses the raw bytes), so after a restart the first repeated broadcast restores what the verdict needs.
import type { NetworkConfig, NetworkKey } from '../../crypto/networks.js';
import type { ChainVerdict, PayoutRail, PayoutTransfer, SendContext, SignedTransfer } from '../payout-rail.js';
import type { Secp256k1Signer } from '../signer.js';
import { selectCoins, outpoint } from './coins.js';
import { feeRateMilli, type FeePolicy } from './fee-rate.js';
import { btcNetwork, destinationScript, hotWallet, rawOutpoints, signPayout, unsignedPayout } from './transaction.js';
import { BroadcastRefusedError, esploraPayoutClient, type EsploraPayoutOptions } from './esplora-client.js';

export interface BitcoinPayoutOptions extends EsploraPayoutOptions, FeePolicy {
  /** Most inputs in one payout (default 200). */
  maxInputs?: number;
}

/** bitcoind's answers to a transaction it already has: a repeated broadcast, not an error. */
const ALREADY_KNOWN = /already in block chain|outputs already in utxo set|txn-already-known|txn-already-in-mempool/i;
/** Refusals that also happen when the transaction itself already spent its inputs (confirmed, outputs spent). */
const INPUTS_GONE = /missingorspent|missing-inputs|txn-mempool-conflict/i;
const TXID = /^[0-9a-f]{64}$/;
const REMEMBERED = 10_000;

export function bitcoinPayoutRail(
  networks: NetworkConfig[],
  signer: Secp256k1Signer,
  opts: BitcoinPayoutOptions = {},
): PayoutRail {
  const cfg = networks.find((n) => n.key === 'BITCOIN');
  if (!cfg) throw new Error('the Bitcoin payout rail needs the BITCOIN network (TENDER_RPC_BITCOIN)');
  const net = btcNetwork(cfg.bitcoinNetwork);
  const wallet = hotWallet(signer.publicKey(), net);
  const chain = esploraPayoutClient(cfg.rpc, opts);
  /** txid → the outpoints it spends, for the verdict (bounded: the oldest are forgotten first). */
  const inputsOf = new Map<string, string[]>();
  const remember = (txid: string, outpoints: string[]) => {
    inputsOf.delete(txid);
    inputsOf.set(txid, outpoints);
    while (inputsOf.size > REMEMBERED) inputsOf.delete(inputsOf.keys().next().value!);
  };

  function checkNetwork(network: NetworkKey) {
    if (network !== 'BITCOIN') throw new Error(`the Bitcoin payout rail does not pay on ${network}`);
  }
  function checkAsset(asset: string) {
    if (asset !== 'BTC') throw new Error(`the Bitcoin payout rail pays BTC only, not ${asset}`);
  }

  async function conflictingSpend(txid: string): Promise<string | null> {
    const spent = inputsOf.get(txid);
    if (!spent) return null;
    let tip: number | undefined;
    for (const o of spent) {
      const [prev, vout] = o.split(':') as [string, string];
      const s = await chain.outspend(prev, Number(vout));
      if (!s.spent || s.txid === txid || !s.confirmed || s.blockHeight == null) continue;
      tip ??= await chain.tipHeight();
      const depth = tip - s.blockHeight + 1;
      if (depth >= cfg!.confirmations) return `input ${o} was spent by ${s.txid} (${depth} confirmations)`;
    }
    return null;
  }

  return {
    id: 'bitcoin',
    networks: ['BITCOIN'],

    hotWalletAddress(network) {
      checkNetwork(network);
      return wallet.address;
    },

    async hotWalletBalance(network, asset) {
      checkNetwork(network);
      checkAsset(asset);
      const utxos = await chain.utxos(wallet.address);
      return utxos.filter((u) => u.confirmed).reduce((s, u) => s + u.value, 0n);
    },

    async sign(t: PayoutTransfer, ctx: SendContext): Promise<SignedTransfer> {
      checkNetwork(t.network);
      checkAsset(t.asset);
      if (t.amount <= 0n) throw new Error('a payout amount is positive');
      const payScript = destinationScript(t.to, net);
      const [utxos, estimates] = await Promise.all([chain.utxos(wallet.address), chain.feeEstimates()]);
      const rateMilli = feeRateMilli(estimates, opts);
      const sel = selectCoins({
        utxos,
        reserved: ctx.reservedOutpoints,
        amount: t.amount,
        payScript,
        changeScript: wallet.script,
        rateMilli,
        maxInputs: opts.maxInputs,
      });
      const tx = unsignedPayout({ inputs: sel.inputs, payScript, amount: t.amount, change: sel.change }, wallet);
      const signed = await signPayout(tx, wallet, sel.inputs, signer);
      const spent = sel.inputs.map(outpoint);
      remember(signed.txid, spent);
      return {
        txHash: signed.txid,
        raw: signed.hex,
        detail: {
          spent: spent.join(','),
          change: String(sel.change),
          fee: String(sel.fee),
          feeRate: (Number(rateMilli) / 1000).toString(),
          vsize: String(signed.vsize),
        },
      };
    },

    async broadcast(network, s) {
      checkNetwork(network);
      const parsed = rawOutpoints(s.raw);
      if (parsed.txid !== s.txHash) throw new Error(`raw transaction is ${parsed.txid}, not ${s.txHash}`);
      remember(parsed.txid, parsed.outpoints);
      try {
        await chain.postTx(s.raw);
      } catch (e) {
        if (!(e instanceof BroadcastRefusedError)) throw e;
        if (ALREADY_KNOWN.test(e.reason)) return;
        // A confirmed transaction whose outputs are all spent looks to bitcoind like one with missing inputs.
        if (INPUTS_GONE.test(e.reason) && (await chain.tx(s.txHash)) !== null) return;
        throw e;
      }
    },

    async verdict(network, txHash): Promise<ChainVerdict> {
      checkNetwork(network);
      if (!TXID.test(txHash)) throw new Error(`not a Bitcoin txid: ${txHash}`);
      const state = await chain.tx(txHash);
      if (state?.confirmed) {
        const tip = await chain.tipHeight();
        return { state: 'included', confirmations: Math.max(1, tip - state.blockHeight! + 1) };
      }
      if (state) return { state: 'pending' };
      const reason = await conflictingSpend(txHash);
      return reason ? { state: 'dropped', reason } : { state: 'unknown' };
    },
  };
}

export { BitcoinHotWalletShortError as HotWalletShortError, PayoutBelowDustError } from './coins.js';
export { BroadcastRefusedError } from './esplora-client.js';
