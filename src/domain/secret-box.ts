// AES-256-GCM encryption of secrets at rest. Format: v1.<iv>.<tag>.<ciphertext>, base64url parts.
// Also keyed digests (mac) of personal data that must be compared but never stored in clear or under a plain
// hash: a CPF or a card number has so few values that a SHA-256 of it is reversed by trying them all.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Secret } from './secret.js';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): Secret;
  /**
   * HMAC-SHA256 (hex) of `text` under a key derived from the master key for `purpose` (HKDF-SHA256), so one
   * purpose's digests say nothing about another's and none can be computed without the master key.
   */
  mac(purpose: string, text: string): string;
}

export function secretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
  const macKeys = new Map<string, Buffer>();
  const macKey = (purpose: string): Buffer => {
    let k = macKeys.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `tender mac v1 ${purpose}`, 32));
      macKeys.set(purpose, k);
    }
    return k;
  };
  return {
    mac(purpose, text) {
      return createHmac('sha256', macKey(purpose)).update(text, 'utf8').digest('hex');
    },
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', masterKey, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join(
        '.',
      );
    },
    open(sealed) {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unrecognised sealed secret');
      const d = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return new Secret(Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8'));
    },
  };
}
