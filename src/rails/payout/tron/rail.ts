// The TRON payout rail (issue 11, spec M1): TRX and TRC-20 USDT transfers from the operator's hot wallet.
// tronweb (the real library) builds each transaction from a reference block the node gives; the rail checks it
// is exactly the payout, and signs its txID (sha256 of raw_data) through the Secp256k1Signer, never with a raw
// key. Broadcast sends the stored JSON as is; a duplicate is not an error. The verdict reads the node by txID.
//
// Why the rail sets raw_data.timestamp itself: tronweb stamps a locally built transaction with its reference
// block's time, so two equal payouts (same recipient, same amount) signed against one block would share one
// txID — one payment for two payouts. A per-rail monotonic millisecond makes every signed transaction unique
// (and a random part of the expiration separates two rail processes signing in the same millisecond).
//
// Expiry: TRON drops a transaction whose `expiration` is not after the head block's time. Once a block that is
// itself confirmed to the network's depth is at or past the expiration and the node has not got the
// transaction, no block can ever include it: the verdict is `dropped` and the sender signs anew. The rail
// learns the expiration from sign() and broadcast() (after a restart the sender re-broadcasts the stored raw
// of an `unknown` transaction, which teaches it again).
import { randomInt } from 'node:crypto';
import { utils as tronUtils, type TronWeb } from 'tronweb';
import type { NetworkConfig, NetworkKey } from '../../crypto/networks.js';
import {
  HotWalletShortError,
  type ChainVerdict,
  type PayoutRail,
  type PayoutTransfer,
  type SignedTransfer,
} from '../payout-rail.js';
import type { Secp256k1Signer } from '../signer.js';
import { blockRef, int, tronToHex, type TronBlock } from '../../tron/transform.js';
import { tronPost, tronWebOver, type TronNodeOptions, type TronPost } from './node.js';
import {
  bandwidthBytes,
  checkBuilt,
  expirationOf,
  feeBurn,
  includedVerdict,
  readPrices,
  readResources,
  tronAddressOfPublicKey,
  tronSignatureHex,
  type TronPrices,
  type TronTx,
  type TronTxInfoAnswer,
} from './transform.js';

export interface TronPayoutOptions extends TronNodeOptions {
  /** Most TRX (sun) one TRC-20 transfer may burn for energy: the cap of its fee_limit. Default 150 TRX. */
  maxFeeLimitSun?: bigint;
  /**
   * Energy assumed for one USDT transfer when keeping TRX back for fees (the rail estimates each transfer it
   * signs with triggerconstantcontract). Default 135,000: USDT's transfer to an address that never held it
   * costs about 130k energy, about 65k otherwise.
   */
  trc20EnergyBound?: bigint;
  /** How long after its reference block a signed transaction may still land (ms). Default 60 s (tronweb's). */
  expirationMs?: number;
}

export { HotWalletShortError };

/** java-tron refused a broadcast (SIGERROR, CONTRACT_VALIDATE_ERROR, BANDWITH_ERROR, ...). */
export class TronBroadcastRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`TRON broadcast refused: ${code} ${message}`);
  }
}

/** The PayoutRail plus what the core needs on TRON only: TRX the wallet lacks to pay one transfer's fees. */
export interface TronPayoutRail extends PayoutRail {
  /** Sun of TRX missing to pay the fees one transfer of `asset` may burn (0n when it can pay). */
  feeShortfall(network: NetworkKey, asset: string): Promise<bigint>;
}

// Upper bounds of a signed transfer's bandwidth (a TRX transfer is about 270 bytes, a TRC-20 call about 345).
const TRX_TX_BYTES = 300;
const TRC20_TX_BYTES = 400;
const PRICES_TTL_MS = 60_000;

export function tronPayoutRail(
  networks: NetworkConfig[],
  signer: Secp256k1Signer,
  opts: TronPayoutOptions = {},
): TronPayoutRail {
  const net = networks.find((n) => n.key === 'TRON');
  if (!net) throw new Error('the TRON payout rail needs a TRON network (TENDER_RPC_TRON)');
  const post: TronPost = tronPost(net.rpc, opts);
  const tw: TronWeb = tronWebOver(net.rpc, post);
  const owner = tronAddressOfPublicKey(signer.publicKey());
  const ownerHex = tronToHex(owner);
  const usdt = net.usdt;
  const maxFeeLimit = opts.maxFeeLimitSun ?? 150_000_000n;
  const energyBound = opts.trc20EnergyBound ?? 135_000n;
  const expirationMs = opts.expirationMs ?? 60_000;
  const expirations = new Map<string, number>();
  let lastStamp = 0;
  let prices: { at: number; p: TronPrices } | undefined;

  const check = (network: NetworkKey) => {
    if (network !== 'TRON') throw new Error(`the TRON payout rail does not pay on ${network}`);
  };
  const checkAsset = (asset: string) => {
    if (asset !== 'TRX' && !(asset === 'USDT' && usdt)) throw new Error(`the TRON payout rail does not pay ${asset}`);
  };
  const remember = (txID: string, expiration: number) => {
    if (expirations.size > 10_000) expirations.delete(expirations.keys().next().value!);
    expirations.set(txID, expiration);
  };

  async function chainPrices(): Promise<TronPrices> {
    if (!prices || Date.now() - prices.at > PRICES_TTL_MS)
      prices = { at: Date.now(), p: readPrices(await post('wallet/getchainparameters')) };
    return prices.p;
  }
  const resources = async () =>
    readResources(await post<Record<string, unknown>>('wallet/getaccountresource', { address: owner, visible: true }));
  // Confirmed funds only: the solidity endpoints answer the solidified (irreversible) state.
  const trxBalance = async (address: string) =>
    int((await post<{ balance?: unknown }>('walletsolidity/getaccount', { address, visible: true })).balance);
  const accountExists = async (address: string) =>
    Object.keys(await post<Record<string, unknown>>('wallet/getaccount', { address, visible: true })).length > 0;

  async function constantCall(selector: string, parameter: string, solid = false) {
    const r = await post<{
      result?: { result?: boolean; message?: string };
      constant_result?: string[];
      energy_used?: number;
      transaction?: { ret?: Array<{ ret?: string }> };
    }>(`${solid ? 'walletsolidity' : 'wallet'}/triggerconstantcontract`, {
      owner_address: ownerHex,
      contract_address: tronToHex(usdt!),
      function_selector: selector,
      parameter,
      visible: false,
    });
    const reverted = r.result?.result !== true || r.transaction?.ret?.[0]?.ret === 'FAILED';
    const message = r.result?.message ?? '';
    return { r, reverted, message: /^[0-9a-f]+$/i.test(message) ? Buffer.from(message, 'hex').toString() : message };
  }

  async function usdtBalance(): Promise<bigint> {
    const word64 = ownerHex.slice(2).padStart(64, '0');
    const { r, reverted, message } = await constantCall('balanceOf(address)', word64, true);
    const word = r.constant_result?.[0];
    if (reverted || typeof word !== 'string' || !/^[0-9a-f]{1,64}$/i.test(word))
      throw new Error(`TRON USDT balanceOf failed: ${message}`);
    return BigInt(`0x${word}`);
  }

  /** What one transfer of `asset` may burn, for the reserve (no recipient known: assume a new account). */
  async function worstFee(asset: string): Promise<bigint> {
    const [res, p] = await Promise.all([resources(), chainPrices()]);
    if (asset === 'TRX')
      return feeBurn({ bytes: TRX_TX_BYTES, createsAccount: true, energy: 0n, feeLimit: 0n }, res, p);
    const feeLimit = bound(energyBound * p.energySun);
    return feeBurn({ bytes: TRC20_TX_BYTES, createsAccount: false, energy: energyBound, feeLimit }, res, p);
  }
  const bound = (sun: bigint) => (sun < maxFeeLimit ? sun : maxFeeLimit);

  async function headBlock(): Promise<{ number: bigint; timestamp: number; hash: string }> {
    const b = await post<TronBlock & { block_header?: { raw_data?: { timestamp?: number } } }>('wallet/getnowblock');
    const ref = blockRef(b);
    const ts = b.block_header?.raw_data?.timestamp;
    if (!ref || typeof ts !== 'number') throw new Error('TRON getnowblock returned no block');
    return { ...ref, timestamp: ts };
  }

  async function build(
    t: PayoutTransfer,
    feeLimit: bigint,
    head: { number: bigint; timestamp: number; hash: string },
  ): Promise<TronTx> {
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    const blockHeader = {
      ref_block_bytes: (head.number & 0xffffn).toString(16).padStart(4, '0'),
      ref_block_hash: head.hash.slice(16, 32),
      // Up to 1 s of jitter: two rail processes stamping the same millisecond still sign different bytes.
      expiration: head.timestamp + expirationMs + randomInt(1000),
      timestamp: lastStamp,
    };
    if (t.asset === 'TRX') {
      return (await tw.transactionBuilder.sendTrx(t.to, Number(t.amount), owner, { blockHeader })) as unknown as TronTx;
    }
    const built = await tw.transactionBuilder.triggerSmartContract(
      usdt!,
      'transfer(address,uint256)',
      { feeLimit: Number(feeLimit), txLocal: true, blockHeader },
      [
        { type: 'address', value: t.to },
        { type: 'uint256', value: t.amount.toString() },
      ],
      owner,
    );
    if (built.result?.result !== true) throw new Error('tronweb did not build the TRC-20 transfer');
    return built.transaction as unknown as TronTx;
  }

  return {
    id: 'tron',
    networks: ['TRON'],
    hotWalletAddress(network) {
      check(network);
      return owner;
    },

    async hotWalletBalance(network, asset) {
      check(network);
      checkAsset(asset);
      if (asset === 'USDT') return usdtBalance();
      // TRX kept back: what the next transfer's fees may burn, whichever asset it moves.
      const [balance, trxFee, tokenFee] = await Promise.all([
        trxBalance(owner),
        worstFee('TRX'),
        usdt ? worstFee('USDT') : Promise.resolve(0n),
      ]);
      let reserve = trxFee;
      if (tokenFee > reserve) reserve = tokenFee; // bigint: no Math.max
      const spendable = balance - reserve;
      return spendable > 0n ? spendable : 0n;
    },

    async feeShortfall(network, asset) {
      check(network);
      checkAsset(asset);
      const [balance, fee] = await Promise.all([trxBalance(owner), worstFee(asset)]);
      return fee > balance ? fee - balance : 0n;
    },

    async sign(t) {
      check(t.network);
      checkAsset(t.asset);
      if (t.amount <= 0n) throw new Error('a TRON payout amount is positive');
      if (t.asset === 'TRX' && t.amount > BigInt(Number.MAX_SAFE_INTEGER))
        throw new Error('a TRX payout above 2^53 sun cannot be built by tronweb');
      const param = tronToHex(t.to).slice(2).padStart(64, '0') + t.amount.toString(16).padStart(64, '0');
      // The reads are independent: one round trip's time.
      const [res, p, balance, head, est, recipientExists] = await Promise.all([
        resources(),
        chainPrices(),
        trxBalance(owner),
        headBlock(),
        t.asset === 'USDT' ? constantCall('transfer(address,uint256)', param) : undefined,
        t.asset === 'TRX' ? accountExists(t.to) : true,
      ]);
      if (est?.reverted) {
        // Short of tokens: wait for funding. Anything else (a blacklisted recipient...) will not change by waiting.
        const held = await usdtBalance();
        if (held < t.amount)
          throw new HotWalletShortError(`TRON hot wallet holds ${held} USDT units, needs ${t.amount}`);
        throw new Error(`USDT transfer would revert: ${est.message}`);
      }
      // 20 % above the estimate: the recipient's storage slot may change between estimate and execution.
      const energy = est ? (int(est.r.energy_used) * 12n + 9n) / 10n : 0n;
      const createsAccount = !recipientExists;
      const feeLimit = t.asset === 'USDT' ? bound(energy * p.energySun) : 0n;
      const tx = await build(t, feeLimit, head);
      checkBuilt(tx, t, owner, usdt);
      if (!tronUtils.transaction.txCheck(tx)) throw new Error('tronweb: raw_data_hex is not the protobuf of raw_data');
      const bytes = bandwidthBytes(tx.raw_data_hex.length);
      const fee = feeBurn({ bytes, createsAccount, energy, feeLimit }, res, p);
      const needTrx = fee + (t.asset === 'TRX' ? t.amount : 0n);
      if (balance < needTrx)
        throw new HotWalletShortError(`TRON hot wallet holds ${balance} sun, the transfer needs ${needTrx}`);
      const sig = await signer.signDigest(Uint8Array.from(Buffer.from(tx.txID, 'hex')));
      const signed: TronTx = { ...tx, signature: [tronSignatureHex(sig)] };
      remember(tx.txID, tx.raw_data.expiration);
      const detail: Record<string, string> = {
        expiration: String(tx.raw_data.expiration),
        fee: fee.toString(),
        bandwidth: String(bytes),
      };
      if (t.asset === 'USDT') {
        detail.feeLimit = feeLimit.toString();
        detail.energy = energy.toString();
      }
      return { txHash: tx.txID, raw: JSON.stringify(signed), detail };
    },

    async broadcast(network, s: SignedTransfer) {
      check(network);
      remember(s.txHash, expirationOf(s.raw));
      const r = await post<{ result?: boolean; code?: string; message?: string }>(
        'wallet/broadcasttransaction',
        JSON.parse(s.raw),
      );
      if (r.result === true || r.code === 'DUP_TRANSACTION_ERROR') return;
      const code = r.code ?? 'OTHER_ERROR';
      // A node that no longer caches the txID may answer an old, already included transaction with these.
      if (code === 'TRANSACTION_EXPIRATION_ERROR' || code === 'TAPOS_ERROR') {
        const found = await post<{ txID?: string }>('wallet/gettransactionbyid', { value: s.txHash });
        if (found.txID === s.txHash) return;
      }
      const msg = r.message && /^[0-9a-f]+$/i.test(r.message) ? Buffer.from(r.message, 'hex').toString() : r.message;
      throw new TronBroadcastRefused(code, msg ?? '');
    },

    async verdict(network, txHash): Promise<ChainVerdict> {
      check(network);
      if (!/^[0-9a-f]{64}$/.test(txHash)) throw new Error('a TRON txID is 64 hex characters');
      const info = await post<TronTxInfoAnswer>('wallet/gettransactioninfobyid', { value: txHash });
      const tx = await post<{ txID?: string; ret?: Array<{ contractRet?: string }> }>('wallet/gettransactionbyid', {
        value: txHash,
      });
      if (info.id === txHash && info.blockNumber !== undefined) {
        const head = await headBlock();
        return includedVerdict(info, tx.ret?.[0]?.contractRet, head.number);
      }
      if (tx.txID === txHash) return { state: 'pending' }; // in a block whose infos the node is still writing
      const pending = await post<{ txID?: string }>('wallet/gettransactionfrompending', { value: txHash }).catch(
        () => ({}) as { txID?: string },
      );
      if (pending.txID === txHash) return { state: 'pending' };
      const expiration = expirations.get(txHash);
      if (expiration === undefined) return { state: 'unknown' };
      const head = await headBlock();
      const deep = head.number - BigInt(net.confirmations) + 1n;
      if (deep < 0n) return { state: 'unknown' };
      const b = await post<TronBlock & { block_header?: { raw_data?: { timestamp?: number } } }>(
        'wallet/getblockbynum',
        { num: Number(deep) },
      );
      const ts = b.block_header?.raw_data?.timestamp;
      if (typeof ts === 'number' && ts >= expiration) {
        return { state: 'dropped', reason: 'TRON transaction expired without landing' };
      }
      return { state: 'unknown' };
    },
  };
}
