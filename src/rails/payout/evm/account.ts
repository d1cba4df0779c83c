// The hot wallet as a viem account whose key never leaves the Secp256k1Signer: viem builds and serialises,
// the signer only ever sees 32-byte digests. Signing a transaction is what viem's own private-key account
// does (serialise the unsigned transaction, keccak256 it, sign, serialise again with the signature), so the
// bytes are identical (test/payout-rail-evm.test.ts checks it against privateKeyToAccount).
import {
  bytesToHex,
  concatHex,
  type Hex,
  hashMessage,
  hashTypedData,
  hexToBytes,
  keccak256,
  numberToHex,
  serializeTransaction,
  type TransactionSerializable,
} from 'viem';
import { type LocalAccount, toAccount } from 'viem/accounts';
import type { DigestSignature, Secp256k1Signer } from '../signer.js';
import { evmAddressOf } from './transform.js';

async function signHash(signer: Secp256k1Signer, hash: Hex): Promise<DigestSignature> {
  return signer.signDigest(hexToBytes(hash));
}

/** 65-byte r || s || v (v = 27 + yParity), the form eth_sign, personal_sign and EIP-712 answer. */
function rsv(sig: DigestSignature): Hex {
  return concatHex([bytesToHex(sig.compact), numberToHex(27 + sig.recovery, { size: 1 })]);
}

export function signerAccount(signer: Secp256k1Signer): LocalAccount {
  return toAccount({
    address: evmAddressOf(signer.publicKey()),
    async sign({ hash }) {
      return rsv(await signHash(signer, hash));
    },
    async signMessage({ message }) {
      return rsv(await signHash(signer, hashMessage(message)));
    },
    async signTypedData(typedData) {
      return rsv(await signHash(signer, hashTypedData(typedData)));
    },
    async signTransaction(transaction, options) {
      const tx = transaction as TransactionSerializable;
      // Blob and authorisation transactions sign something else than the serialised body; a payout is neither.
      if (tx.type === 'eip4844' || tx.type === 'eip7702' || 'sidecars' in tx || 'authorizationList' in tx)
        throw new Error('the hot wallet signs legacy, EIP-2930 and EIP-1559 transactions only');
      const serializer = options?.serializer ?? serializeTransaction;
      const sig = await signHash(signer, keccak256(await serializer(tx)));
      const r = bytesToHex(sig.compact.subarray(0, 32));
      const s = bytesToHex(sig.compact.subarray(32, 64));
      // v is read by legacy serialisation (EIP-155 folds the chain id into it), yParity by typed ones.
      return serializer(tx, { r, s, v: 27n + BigInt(sig.recovery), yParity: sig.recovery });
    },
  });
}
