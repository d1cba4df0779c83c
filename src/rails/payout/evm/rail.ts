// The EVM payout rail (issue 11, spec M1): ETH/BNB and USDT payouts on Ethereum and BSC from the operator's
// hot wallet, with viem, signed only through the Secp256k1Signer (account.ts). Ethereum and BSC run the same
// code; the chain id comes from the NetworkConfig and is part of every signature.
//
// Nonces: the sender reserves the nonce durably under the hot wallet's row lock and passes it in the
// SendContext; sign() uses it exactly, so concurrent payouts never share or skip one, and a restart re-uses
// what was stored. The rail keeps, in memory, the nonce of every transaction it signed or broadcast, which
// lets verdict() tell "never seen, may be broadcast again" from "this nonce was used by another transaction,
// so these bytes can never land" (a replacement, or a transaction sent from the same key elsewhere). After a
// restart the rail knows no nonces until the sender re-broadcasts its stored bytes (which the crash-safety
// order already does for an `unknown` verdict); that broadcast learns the nonce from the bytes themselves.
// See docs/payout-rail-evm.md.
import { type Hex, parseTransaction } from 'viem';
import type { NetworkConfig, NetworkKey } from '../../crypto/networks.js';
import {
  type ChainVerdict,
  HotWalletShortError,
  type PayoutRail,
  type PayoutTransfer,
  type SendContext,
  type SignedTransfer,
} from '../payout-rail.js';
import type { Secp256k1Signer } from '../signer.js';
import { signerAccount } from './account.js';
import { type EvmRpc, type EvmRpcOptions, evmRpc } from './rpc.js';
import {
  bareHash,
  gasWithMargin,
  maxFeeWei,
  NATIVE_TRANSFER_GAS,
  payoutCall,
  prefixedHash,
  transactionHash,
  unsignedPayout,
} from './transform.js';

/** Nonces remembered per rail instance; far more than the transactions a sender keeps in flight. */
const KNOWN_NONCES = 100_000;

interface EvmNetwork {
  config: NetworkConfig;
  chainId: number;
  rpc: EvmRpc;
  chainChecked: boolean;
}

export function evmPayoutRail(
  networks: NetworkConfig[],
  signer: Secp256k1Signer,
  opts: EvmRpcOptions = {},
): PayoutRail {
  const account = signerAccount(signer);
  const byKey = new Map<NetworkKey, EvmNetwork>();
  for (const config of networks) {
    if (config.family !== 'evm') continue;
    if (config.chainId === null) throw new Error(`${config.key}: an EVM network needs a chain id`);
    byKey.set(config.key, { config, chainId: config.chainId, rpc: evmRpc(config.rpc, opts), chainChecked: false });
  }
  const nonces = new Map<string, bigint>();
  const remember = (network: NetworkKey, hash: string, nonce: bigint) => {
    if (nonces.size >= KNOWN_NONCES) nonces.delete(nonces.keys().next().value!);
    nonces.set(`${network}:${bareHash(hash)}`, nonce);
  };

  function net(network: NetworkKey): EvmNetwork {
    const n = byKey.get(network);
    if (!n) throw new Error(`the EVM payout rail has no network ${network}`);
    return n;
  }
  /** null for the network's native asset, the token contract for USDT; anything else is refused. */
  function tokenOf(n: EvmNetwork, asset: string): string | null {
    const a = asset.toUpperCase();
    if (a === n.config.native) return null;
    if (a === 'USDT' && n.config.usdt) return n.config.usdt;
    throw new Error(`the EVM payout rail does not pay ${asset} on ${n.config.key}`);
  }
  /**
   * Signing for another chain than the node's would store bytes that can never land; a misconfigured
   * TENDER_CHAIN_ID_<KEY> is refused at the first payout instead. Checked once per network (a failed check
   * is retried next time).
   */
  async function checkChainId(n: EvmNetwork): Promise<void> {
    if (n.chainChecked) return;
    const served = await n.rpc.chainId();
    if (served !== n.chainId)
      throw new Error(`${n.config.key}: the node serves chain id ${served}, the configuration says ${n.chainId}`);
    n.chainChecked = true;
  }
  /** Whether the chain has the transaction at all: in a block or in the node's mempool. */
  async function seen(n: EvmNetwork, hash: Hex): Promise<boolean> {
    return (await n.rpc.transaction(hash)) !== null || (await n.rpc.receipt(hash)) !== null;
  }

  return {
    id: 'evm',
    networks: [...byKey.keys()],
    hotWalletAddress(network) {
      net(network);
      return account.address;
    },
    async hotWalletBalance(network, asset) {
      const n = net(network);
      const token = tokenOf(n, asset);
      return token === null ? n.rpc.nativeBalance(account.address) : n.rpc.tokenBalance(token, account.address);
    },
    chainNonce: (network) => net(network).rpc.nonce(account.address, 'pending'),

    async sign(t: PayoutTransfer, ctx: SendContext): Promise<SignedTransfer> {
      const n = net(t.network);
      if (ctx.nonce === null) throw new Error('an EVM payout is signed with the nonce the sender reserved');
      await checkChainId(n);
      const call = payoutCall(t.to, t.amount, tokenOf(n, t.asset));
      // A value transfer to an account costs exactly the intrinsic gas; a token transfer runs the contract,
      // whose estimate also proves the transfer would not revert against the current state.
      const [gas, fees, native] = await Promise.all([
        call.data === undefined ? NATIVE_TRANSFER_GAS : n.rpc.estimateGas(account.address, call).then(gasWithMargin),
        n.rpc.fees(),
        n.rpc.nativeBalance(account.address),
      ]);
      const tx = unsignedPayout(n.chainId, ctx.nonce, call, gas, fees);
      // The fee is paid in the native asset on top of the amount: a wallet that cannot pay it would store a
      // transaction every node refuses, and hold its nonce (and every later payout) until funded. It waits
      // instead, unsigned. This bounds this transfer alone; payouts already in flight are the sender's part.
      const need = call.value + maxFeeWei(tx);
      if (native < need)
        throw new HotWalletShortError(
          `EVM hot wallet holds ${native} wei, the transfer needs up to ${need} with its fee`,
        );
      const raw = await account.signTransaction(tx);
      const txHash = bareHash(transactionHash(raw));
      remember(t.network, txHash, ctx.nonce);
      return {
        txHash,
        raw,
        detail: {
          nonce: ctx.nonce.toString(),
          fee: maxFeeWei(tx).toString(),
          gas: gas.toString(),
          maxFeePerGas: fees.maxFeePerGas.toString(),
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
        },
      };
    },

    async broadcast(network, s) {
      const n = net(network);
      const raw = s.raw as Hex;
      const hash = transactionHash(raw);
      if (bareHash(hash) !== bareHash(s.txHash)) throw new Error('the signed bytes do not hash to the stored hash');
      const nonce = BigInt(parseTransaction(raw).nonce ?? 0);
      remember(network, hash, nonce);
      try {
        await n.rpc.sendRaw(raw);
      } catch (e) {
        // "already known", "known transaction", "nonce too low" for these very bytes mined: nodes word it
        // differently, so the chain is asked by hash instead of reading the message.
        // The mined nonce first, as in verdict(): these bytes mined meanwhile are then found by hash.
        const mined = await n.rpc.nonce(account.address, 'latest');
        if (await seen(n, hash)) return;
        if (mined > nonce)
          throw new Error(`nonce ${nonce} of the hot wallet was used by another transaction; ${hash} can never land`);
        throw e;
      }
    },

    async verdict(network, txHash): Promise<ChainVerdict> {
      const n = net(network);
      const hash = prefixedHash(txHash);
      const nonce = nonces.get(`${network}:${bareHash(txHash)}`);
      // Read the mined nonce BEFORE looking for the transaction: if it was mined in between, the receipt
      // lookup below finds it, so a used nonce is never mistaken for a replacement.
      const mined = nonce === undefined ? undefined : await n.rpc.nonce(account.address, 'latest');
      const receipt = await n.rpc.receipt(hash);
      if (receipt) {
        if (receipt.status !== 'success') return { state: 'failed', reason: 'reverted on chain' };
        const confirmations = (await n.rpc.head()) - receipt.blockNumber + 1n;
        return { state: 'included', confirmations: Number(confirmations < 1n ? 1n : confirmations) };
      }
      if (await n.rpc.transaction(hash)) return { state: 'pending' };
      if (nonce !== undefined && mined !== undefined && mined > nonce)
        return { state: 'dropped', reason: `nonce ${nonce} used by another transaction` };
      return { state: 'unknown' };
    },
  };
}
