// The address of an operator hot wallet, from its compressed secp256k1 public key, per chain family: what the
// operator funds. EVM: EIP-55 of keccak256(uncompressed point)[12..]; TRON: base58check(0x41 ‖ the same 20
// bytes); Bitcoin: native segwit (P2WPKH) on the configured network.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import { NETWORK, TEST_NETWORK, p2wpkh } from '@scure/btc-signer';
import { getAddress } from 'viem';
import type { KeyFamily, BitcoinNetwork } from '../crypto/derivation.js';

export function hotWalletAddress(family: KeyFamily, publicKey: Uint8Array, btcNet: BitcoinNetwork = 'mainnet'): string {
  if (family === 'bitcoin') {
    const net =
      btcNet === 'mainnet' ? NETWORK : btcNet === 'testnet' ? TEST_NETWORK : { ...TEST_NETWORK, bech32: 'bcrt' };
    return p2wpkh(publicKey, net).address!;
  }
  const point = secp256k1.Point.fromHex(Buffer.from(publicKey).toString('hex')).toBytes(false);
  const id = keccak_256(point.slice(1)).slice(12);
  if (family === 'evm') return getAddress(`0x${Buffer.from(id).toString('hex')}`);
  return createBase58check(sha256).encode(Uint8Array.from([0x41, ...id]));
}
