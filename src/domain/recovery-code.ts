// TOTP recovery codes: 12 characters from an alphabet without look-alikes (about 59 bits), shown as
// xxxx-xxxx-xxxx. Only the digest of the normalised code is stored; the code is long enough that a plain
// SHA-256 is safe to keep (no dictionary to try), and logins are rate-limited and locked besides.
import { createHash, randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/** What a person typed, without case, spaces or dashes; undefined when it cannot be a recovery code. */
export function normaliseRecoveryCode(typed: string): string | undefined {
  const s = typed.toLowerCase().replace(/[\s-]/g, '');
  return s.length === 12 && [...s].every((c) => ALPHABET.includes(c)) ? s : undefined;
}

export const recoveryDigest = (normalised: string): string =>
  createHash('sha256').update(`tender-recovery:${normalised}`).digest('hex');
