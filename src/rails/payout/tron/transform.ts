// Pure pieces of the TRON payout rail (no I/O): the hot wallet's address from the signer's public key, the
// signature TRON expects over a txID, the checks of a transaction built by tronweb before it is signed, the
// fee rule (bandwidth and energy burnt in TRX) and the verdict read from the node's answers.
//
// Shapes follow java-tron's HTTP API (tronprotocol documentation-en, docs/api/http/...): protobuf JSON with
// snake_case names, bytes as lower-case hex, defaults omitted, `{}` for "not found".
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { ChainVerdict, PayoutTransfer } from '../payout-rail.js';
import type { DigestSignature } from '../signer.js';
import { hexToTron, int, tronToHex } from '../../tron/transform.js';

/** The hot wallet's TRON address: 0x41 ‖ last 20 bytes of keccak256(uncompressed public key without 0x04). */
export function tronAddressOfPublicKey(compressed: Uint8Array): string {
  const full = secp256k1.Point.fromBytes(compressed).toBytes(false);
  const hash = keccak_256(full.slice(1));
  return hexToTron(`41${Buffer.from(hash.slice(12)).toString('hex')}`);
}

/** r ‖ s ‖ v with v = recovery + 27, as tronweb's ECKeySign writes it (hex, lower case here). */
export function tronSignatureHex(sig: DigestSignature): string {
  if (sig.compact.length !== 64 || (sig.recovery !== 0 && sig.recovery !== 1)) throw new Error('bad signature');
  return Buffer.from(sig.compact).toString('hex') + (sig.recovery + 27).toString(16);
}

/** The transaction as tronweb builds it and java-tron answers it (the subset the rail reads). */
export interface TronTx {
  visible?: boolean;
  txID: string;
  raw_data: {
    contract: Array<{ type: string; parameter: { value: Record<string, unknown>; type_url?: string } }>;
    ref_block_bytes: string;
    ref_block_hash: string;
    expiration: number;
    timestamp?: number;
    fee_limit?: number;
  };
  raw_data_hex: string;
  signature?: string[];
}

const selectorTransfer = 'a9059cbb'; // keccak256("transfer(address,uint256)")[0..4]

/**
 * Refuses a built transaction that is not exactly the payout: the txID must be sha256 of raw_data_hex, and the
 * one contract must move `amount` of the asset from the hot wallet to `to` (a node answering
 * triggersmartcontract could otherwise slip in another call). tronweb has already checked that raw_data_hex is
 * the protobuf of raw_data; this checks raw_data against the payout.
 */
export function checkBuilt(tx: TronTx, t: PayoutTransfer, owner: string, usdt: string | null): void {
  const digest = Buffer.from(sha256(Buffer.from(tx.raw_data_hex, 'hex'))).toString('hex');
  if (!/^[0-9a-f]{64}$/.test(tx.txID) || digest !== tx.txID) throw new Error('TRON txID is not sha256(raw_data)');
  const c = tx.raw_data.contract;
  if (c.length !== 1) throw new Error('TRON transaction must hold one contract');
  const v = c[0]!.parameter.value;
  if (String(v.owner_address).toLowerCase() !== tronToHex(owner)) throw new Error('TRON transaction owner mismatch');
  if (t.asset === 'TRX') {
    if (c[0]!.type !== 'TransferContract') throw new Error('TRX payout must be a TransferContract');
    if (String(v.to_address).toLowerCase() !== tronToHex(t.to)) throw new Error('TRX payout destination mismatch');
    if (int(v.amount) !== t.amount) throw new Error('TRX payout amount mismatch');
    return;
  }
  if (c[0]!.type !== 'TriggerSmartContract' || !usdt) throw new Error('USDT payout must call the token');
  if (String(v.contract_address).toLowerCase() !== tronToHex(usdt)) throw new Error('USDT payout contract mismatch');
  if (v.call_value !== undefined && int(v.call_value) !== 0n) throw new Error('USDT payout must not send TRX');
  const expected =
    selectorTransfer + tronToHex(t.to).slice(2).padStart(64, '0') + t.amount.toString(16).padStart(64, '0');
  if (String(v.data).toLowerCase() !== expected) throw new Error('USDT payout call data mismatch');
}

/** What a transaction occupies of bandwidth: its serialised size without `ret`, plus 64 bytes (java-tron). */
export function bandwidthBytes(rawDataHexLength: number): number {
  const raw = rawDataHexLength / 2;
  const varint = (n: number) => (n < 128 ? 1 : n < 16384 ? 2 : 3);
  return 1 + varint(raw) + raw + (1 + 1 + 65) + 64;
}

/** Chain prices in sun, from /wallet/getchainparameters. */
export interface TronPrices {
  /** Per byte of bandwidth burnt when free and staked bandwidth are short (getTransactionFee). */
  bandwidthSun: bigint;
  /** Per unit of energy burnt when staked energy is short (getEnergyFee). */
  energySun: bigint;
  /** Charged to the sender of TRX that creates the recipient's account (getCreateNewAccountFeeInSystemContract). */
  newAccountSun: bigint;
  /** Burnt for the bandwidth of an account-creating transfer when staked bandwidth is short (getCreateAccountFee). */
  createAccountBandwidthSun: bigint;
}

export function readPrices(answer: { chainParameter?: Array<{ key?: string; value?: unknown }> }): TronPrices {
  const p = new Map((answer.chainParameter ?? []).map((x) => [x.key, x.value]));
  const need = (k: string) => {
    if (!p.has(k)) throw new Error(`TRON chain parameter ${k} missing`);
    return int(p.get(k));
  };
  return {
    bandwidthSun: need('getTransactionFee'),
    energySun: need('getEnergyFee'),
    newAccountSun: need('getCreateNewAccountFeeInSystemContract'),
    createAccountBandwidthSun: need('getCreateAccountFee'),
  };
}

/** The hot wallet's free resources, from /wallet/getaccountresource (fields omitted when 0). */
export interface TronResources {
  freeBandwidth: bigint;
  stakedBandwidth: bigint;
  energy: bigint;
}

export function readResources(r: Record<string, unknown>): TronResources {
  const left = (limit: string, used: string) => {
    const n = int(r[limit]) - int(r[used]);
    return n > 0n ? n : 0n;
  };
  return {
    freeBandwidth: left('freeNetLimit', 'freeNetUsed'),
    stakedBandwidth: left('NetLimit', 'NetUsed'),
    energy: left('EnergyLimit', 'EnergyUsed'),
  };
}

/**
 * TRX (sun) the network burns from the hot wallet for one transfer, as java-tron charges it:
 * - bandwidth: paid from staked bandwidth, else free bandwidth, else `bytes × getTransactionFee` burnt; a TRX
 *   transfer that creates the recipient's account cannot use free bandwidth and burns getCreateAccountFee
 *   instead, plus getCreateNewAccountFeeInSystemContract;
 * - energy (TRC-20): `energy` minus the staked energy left, times getEnergyFee, never above `feeLimit`.
 */
export function feeBurn(
  o: { bytes: number; createsAccount: boolean; energy: bigint; feeLimit: bigint },
  res: TronResources,
  prices: TronPrices,
): bigint {
  const bytes = BigInt(o.bytes);
  let fee = 0n;
  if (o.createsAccount) {
    fee += prices.newAccountSun;
    if (res.stakedBandwidth < bytes) fee += prices.createAccountBandwidthSun;
  } else if (res.stakedBandwidth < bytes && res.freeBandwidth < bytes) {
    fee += bytes * prices.bandwidthSun;
  }
  if (o.energy > 0n) {
    const short = o.energy > res.energy ? o.energy - res.energy : 0n;
    const burn = short * prices.energySun;
    fee += burn < o.feeLimit ? burn : o.feeLimit;
  }
  return fee;
}

export interface TronTxInfoAnswer {
  id?: string;
  blockNumber?: number | string;
  result?: string;
  resMessage?: string;
  receipt?: { result?: string };
}

/**
 * The verdict of a transaction the node found in a block: a TRC-20 call failed when `receipt.result` is not
 * SUCCESS (OUT_OF_ENERGY, REVERT, ...) or the info says `result: FAILED`; a TRX transfer when its
 * `ret[0].contractRet` is not SUCCESS.
 */
export function includedVerdict(info: TronTxInfoAnswer, contractRet: string | undefined, head: bigint): ChainVerdict {
  const receipt = info.receipt?.result;
  if (info.result === 'FAILED' || (receipt !== undefined && receipt !== 'SUCCESS')) {
    return { state: 'failed', reason: `TRON ${receipt ?? contractRet ?? 'FAILED'}` };
  }
  if (contractRet !== undefined && contractRet !== 'SUCCESS') return { state: 'failed', reason: `TRON ${contractRet}` };
  const n = int(info.blockNumber);
  return { state: 'included', confirmations: Number(head >= n ? head - n + 1n : 1n) };
}

/** The transaction's expiration (ms) from the stored `raw`, as broadcast. */
export function expirationOf(raw: string): number {
  const tx = JSON.parse(raw) as TronTx;
  const e = tx.raw_data?.expiration;
  if (typeof e !== 'number' || !Number.isSafeInteger(e)) throw new Error('TRON raw transaction without expiration');
  return e;
}
