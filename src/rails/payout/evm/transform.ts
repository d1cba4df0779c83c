// Pure transformers of the EVM payout rail (no I/O): the hot wallet's address from the signer's public key,
// the call a payout makes (a plain value transfer, or the token's `transfer(to, amount)`), the EIP-1559
// transaction and its hash (signing is account.ts). Ethereum and BSC share all of it;
// only the chain id differs (EIP-155 replay protection), and it is part of what is signed.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  bytesToHex,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  type Hex,
  keccak256,
  type TransactionSerializableEIP1559,
} from 'viem';
import { publicKeyToAddress } from 'viem/accounts';

/** A plain value transfer to an account costs exactly this much gas (the intrinsic cost; no calldata). */
export const NATIVE_TRANSFER_GAS = 21_000n;

/** EIP-55 address of a secp256k1 key: keccak256 of the 64-byte uncompressed point, last 20 bytes. */
export function evmAddressOf(publicKey: Uint8Array): `0x${string}` {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return publicKeyToAddress(bytesToHex(uncompressed));
}

export interface EvmCall {
  to: `0x${string}`;
  value: bigint;
  data: Hex | undefined;
}

/**
 * What a payout of `amount` to `to` executes: the native asset moves as the transaction's value; a token moves
 * through the contract's ERC-20 `transfer`, the transaction itself carrying no value.
 */
export function payoutCall(to: string, amount: bigint, token: string | null): EvmCall {
  if (amount <= 0n) throw new Error('a payout amount is positive');
  const recipient = getAddress(to);
  if (token === null) return { to: recipient, value: amount, data: undefined };
  return {
    to: getAddress(token),
    value: 0n,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [recipient, amount] }),
  };
}

/**
 * A token transfer's gas limit: the node's estimate plus 25% and 10,000, because the estimate is exact for the
 * state it ran against and a storage slot can cost more by the time the transaction runs (a recipient whose
 * balance was zero then). Unused gas is refunded, so the margin costs nothing when it is not needed.
 */
export function gasWithMargin(estimate: bigint): bigint {
  return (estimate * 125n) / 100n + 10_000n;
}

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/**
 * Fees of a payout: the node's suggested tip, and a fee cap of twice the latest base fee plus the tip. The
 * base fee can rise 12.5% per full block, so the cap survives about six full blocks in a row before the
 * transaction waits; only the base fee actually due is paid (the rest of the cap is never charged). The cap is
 * what `detail.fee` reserves (gas × cap), so the core's balance check covers the worst case.
 */
export function eip1559Fees(baseFeePerGas: bigint, priorityFeePerGas: bigint): Fees {
  if (baseFeePerGas < 0n || priorityFeePerGas < 0n) throw new Error('fees are not negative');
  return { maxFeePerGas: 2n * baseFeePerGas + priorityFeePerGas, maxPriorityFeePerGas: priorityFeePerGas };
}

export function unsignedPayout(
  chainId: number,
  nonce: bigint,
  call: EvmCall,
  gas: bigint,
  fees: Fees,
): TransactionSerializableEIP1559 {
  if (nonce < 0n || nonce >= 2n ** 64n - 1n) throw new Error('an EVM nonce is below 2^64 - 1 (EIP-2681)');
  return {
    type: 'eip1559',
    chainId,
    nonce: Number(nonce),
    to: call.to,
    value: call.value,
    data: call.data,
    gas,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  };
}

/** The most the hot wallet can pay in fees for `tx`, in wei: every unit of gas at the max fee. */
export function maxFeeWei(tx: TransactionSerializableEIP1559): bigint {
  return (tx.gas ?? 0n) * (tx.maxFeePerGas ?? 0n);
}

/** The transaction hash (what explorers and receipts name it by): keccak256 of the signed serialisation. */
export function transactionHash(raw: Hex): Hex {
  return keccak256(raw);
}

/** The rail's id form of a hash: lower-case hex without 0x. */
export const bareHash = (h: string): string => h.replace(/^0x/i, '').toLowerCase();
export const prefixedHash = (h: string): Hex => `0x${bareHash(h)}`;
