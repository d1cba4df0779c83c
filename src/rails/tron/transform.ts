// Pure TRON conversions for the chain source (src/rails/tron/client.ts): addresses between the node's hex
// form (21 bytes, 0x41 ‖ account id) and the base58check form Tender stores, exact JSON integers, and the
// deposits in one block read from the full-node HTTP API answers (`/wallet/getblockbynum` and
// `/wallet/gettransactioninfobyblocknum`, default `visible: false`, so addresses come as hex).
//
// Field names and formats follow java-tron's HTTP servlets as documented by tronprotocol
// (documentation-en, docs/api/http/block-and-tx-query/{getnowblock,getblockbynum,gettransactionbyid,
// gettransactioninfobyid,gettransactioninfobyblocknum}.md): protobuf JSON with snake_case names, bytes as
// lower-case hex without 0x, default values (0, empty lists, enum 0) omitted, `{}` for a missing block.
import { sha256 } from '@noble/hashes/sha2.js';
import { base58check } from '@scure/base';
import type { ChainTransfer } from '../crypto/chain-source.js';

const b58c = base58check(sha256);

/** keccak256("Transfer(address,address,uint256)"), as TRON logs carry it (hex, no 0x). */
export const TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

const HEX21 = /^41[0-9a-f]{40}$/;
const HEX20 = /^[0-9a-f]{40}$/;

/** base58check (T…) → 42 hex chars starting with 41; throws on anything else. */
export function tronToHex(address: string): string {
  let raw: Uint8Array;
  try {
    raw = b58c.decode(address);
  } catch {
    throw new Error(`not a TRON address: ${address}`);
  }
  if (raw.length !== 21 || raw[0] !== 0x41) throw new Error(`not a TRON mainnet address: ${address}`);
  return Buffer.from(raw).toString('hex');
}

/** 41-prefixed hex (21 bytes) → base58check. */
export function hexToTron(hex41: string): string {
  const h = hex41.toLowerCase().replace(/^0x/, '');
  if (!HEX21.test(h)) throw new Error(`not a TRON hex address: ${hex41}`);
  return b58c.encode(Buffer.from(h, 'hex'));
}

/**
 * An address as a node may print it — 41-hex (visible=false, the default), base58 (visible=true), or the
 * bare 20-byte EVM form of log addresses — to base58; undefined when it is none of those.
 */
export function anyToTron(a: unknown): string | undefined {
  if (typeof a !== 'string') return undefined;
  const h = a.toLowerCase().replace(/^0x/, '');
  try {
    if (HEX21.test(h)) return hexToTron(h);
    if (HEX20.test(h)) return hexToTron(`41${h}`);
    if (a.startsWith('T') && a.length === 34) {
      tronToHex(a);
      return a;
    }
  } catch {
    /* not an address */
  }
  return undefined;
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact: java-tron prints int64 fields (amount, balance, fee) as
 * JSON numbers, and a TRX amount in sun can exceed Number.MAX_SAFE_INTEGER. Integer literals of 16+ digits in
 * value position become strings before parsing; readers go through `int()`, which accepts both.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

/** An int64 field as the node prints it (number, or string from parseJsonExact); absent = protobuf default 0. */
export function int(v: unknown): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new Error(`not an integer: ${JSON.stringify(v)}`);
}

// The subset of the node's answers read here (everything else is ignored).
export interface TronBlock {
  blockID?: string;
  block_header?: { raw_data?: { number?: number | string } };
  transactions?: TronTransaction[];
}
export interface TronTransaction {
  txID?: string;
  ret?: Array<{ contractRet?: string }>;
  raw_data?: { contract?: Array<{ type?: string; parameter?: { value?: Record<string, unknown> } }> };
}
export interface TronTxInfo {
  id?: string;
  blockNumber?: number | string;
  result?: string;
  receipt?: { result?: string };
  log?: Array<{ address?: string; topics?: string[]; data?: string }>;
}

/** Block number and hash of a getnowblock/getblockbynum answer; null for `{}` (no such block). */
export function blockRef(b: TronBlock): { number: bigint; hash: string } | null {
  if (!b || typeof b.blockID !== 'string') return null;
  if (!/^[0-9a-f]{64}$/.test(b.blockID)) throw new Error(`unexpected blockID ${JSON.stringify(b.blockID)}`);
  return { number: int(b.block_header?.raw_data?.number), hash: b.blockID };
}

const succeeded = (t: TronTransaction) => t.ret?.[0]?.contractRet === 'SUCCESS';

/** Does the block hold a successful smart-contract call (the only way a TRC-20 Transfer log appears)? */
export function hasContractCalls(b: TronBlock): boolean {
  return (b.transactions ?? []).some((t) => succeeded(t) && t.raw_data?.contract?.[0]?.type === 'TriggerSmartContract');
}

/**
 * Native TRX deposits of one block: TransferContract transactions whose `ret[0].contractRet` is SUCCESS,
 * to a watched address, amount (sun) > 0. logIndex −1 (one contract per TRON transaction). TRX moved by a
 * smart contract (internal transactions) is not seen: deposits are expected as plain transfers.
 */
export function nativeTransfers(b: TronBlock, watched: ReadonlySet<string>): ChainTransfer[] {
  const ref = blockRef(b);
  if (!ref) return [];
  const out: ChainTransfer[] = [];
  for (const t of b.transactions ?? []) {
    const c = t.raw_data?.contract?.[0];
    if (c?.type !== 'TransferContract' || !succeeded(t) || typeof t.txID !== 'string') continue;
    const to = anyToTron(c.parameter?.value?.to_address);
    if (!to || !watched.has(to)) continue;
    const amount = int(c.parameter?.value?.amount);
    if (amount <= 0n) continue;
    out.push({
      txHash: t.txID,
      logIndex: -1,
      blockNumber: ref.number,
      blockHash: ref.hash,
      to,
      asset: 'native',
      chainAmount: amount,
    });
  }
  return out;
}

/**
 * TRC-20 deposits of one block, from its transaction infos (same block, same order as its transactions):
 * Transfer(address indexed from, address indexed to, uint256 value) logs emitted by `tokenHex20` (the token's
 * 20-byte hex, as TRON prints log addresses, without 41) whose `to` (last 20 bytes of topics[2]) is watched,
 * in transactions that succeeded (receipt.result SUCCESS and no top-level `result: FAILED`; the block's own
 * `ret[0].contractRet` is checked too when `block` is given).
 *
 * logIndex: the log's position among ALL logs of the block, flattened in transaction order (the block-wide
 * numbering TRON's own eth_getLogs uses). Stable for a given block, unique within it; a re-org gives a new
 * block hash anyway.
 */
export function tokenTransfers(
  infos: readonly TronTxInfo[],
  block: TronBlock,
  tokenHex20: string,
  watched: ReadonlySet<string>,
): ChainTransfer[] {
  const ref = blockRef(block);
  if (!ref) return [];
  const okTx = new Map((block.transactions ?? []).map((t) => [t.txID, succeeded(t)]));
  const token = tokenHex20.toLowerCase();
  const out: ChainTransfer[] = [];
  let logIndex = 0;
  for (const info of infos) {
    const logs = info.log ?? [];
    const base = logIndex;
    logIndex += logs.length;
    if (
      typeof info.id !== 'string' ||
      info.result === 'FAILED' ||
      info.receipt?.result !== 'SUCCESS' ||
      okTx.get(info.id) !== true
    )
      continue;
    logs.forEach((l, i) => {
      const emitter = anyToTron(l.address);
      if (!emitter || tronToHex(emitter).slice(2) !== token) return;
      const topics = l.topics ?? [];
      if (topics.length !== 3 || topics[0]?.toLowerCase().replace(/^0x/, '') !== TRANSFER_TOPIC) return;
      const toWord = topics[2]!.toLowerCase().replace(/^0x/, '');
      if (!/^[0-9a-f]{64}$/.test(toWord)) return;
      const to = hexToTron(`41${toWord.slice(24)}`);
      if (!watched.has(to)) return;
      const data = (l.data ?? '').toLowerCase().replace(/^0x/, '');
      if (!/^[0-9a-f]{64}$/.test(data)) return;
      const value = BigInt(`0x${data}`);
      if (value <= 0n) return;
      out.push({
        txHash: info.id!,
        logIndex: base + i,
        blockNumber: ref.number,
        blockHash: ref.hash,
        to,
        asset: 'USDT',
        chainAmount: value,
      });
    });
  }
  return out;
}

/** The info list answers one block: every id is one of the block's transactions, at its number. */
export function infosMatchBlock(infos: readonly TronTxInfo[], block: TronBlock): boolean {
  const ref = blockRef(block);
  if (!ref) return false;
  const ids = new Set((block.transactions ?? []).map((t) => t.txID));
  return infos.every((i) => typeof i.id === 'string' && ids.has(i.id) && int(i.blockNumber) === ref.number);
}
