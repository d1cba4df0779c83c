// The key behind every crypto payout (issue 11, spec M1 "Decision (keys)"). EVM, TRON and Bitcoin all sign
// secp256k1 digests, so one narrow interface serves the three chain families: each rail builds its
// transaction with its chain's library, computes the digest that chain signs, and asks the signer for a
// signature. The local signer below holds an operator hot-wallet key that is sealed at rest with the master
// key; an external signing service (an HSM, a remote signer) implements the same interface instead.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Secret } from '../../domain/secret.js';

export interface DigestSignature {
  /** 64 bytes, r || s, with a low s (what EVM, TRON and Bitcoin's standardness rules all require). */
  compact: Uint8Array;
  /** 0 or 1: which of the two candidate public keys the signature recovers to (EVM yParity, TRON v - 27). */
  recovery: number;
}

export interface Secp256k1Signer {
  /** 33-byte compressed public key; each rail derives its address from it. */
  publicKey(): Uint8Array;
  /** Signs a 32-byte digest exactly as given (the rail has already hashed what its chain signs). */
  signDigest(digest: Uint8Array): Promise<DigestSignature>;
}

/** A signer over a private key held in memory; the key arrives as a Secret opened from its sealed form. */
export function localSigner(privateKeyHex: Secret): Secp256k1Signer {
  const key = Uint8Array.from(Buffer.from(privateKeyHex.reveal().replace(/^0x/, ''), 'hex'));
  if (key.length !== 32 || !secp256k1.utils.isValidSecretKey(key)) throw new Error('not a secp256k1 private key');
  const publicKey = secp256k1.getPublicKey(key, true);
  return {
    publicKey: () => publicKey,
    async signDigest(digest) {
      if (digest.length !== 32) throw new Error('a digest is 32 bytes');
      const sig = secp256k1.sign(digest, key, { prehash: false, lowS: true, format: 'recovered' });
      // 'recovered' format: recovery byte first, then r || s.
      return { compact: sig.slice(1), recovery: sig[0]! };
    },
  };
}

/** A fresh hot-wallet key, as hex; the caller seals it at once and never logs it. */
export function newPrivateKeyHex(): string {
  return Buffer.from(secp256k1.utils.randomSecretKey()).toString('hex');
}
