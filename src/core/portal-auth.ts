// Logins of the merchant portal and the operator console (issue 12): password, lockout per account, TOTP
// and recovery codes, password changes, re-authentication before a secret is shown. Web pages call these;
// nothing here knows about HTTP or sessions (beyond ending an account's stored sessions).
import { generate, generateSecret, verify } from 'otplib';
import type { Deps } from './deps.js';
import { hashPassword, verifyPassword } from '../domain/password.js';
import { passwordProblem } from '../domain/password-policy.js';
import { newRecoveryCode, normaliseRecoveryCode, recoveryDigest } from '../domain/recovery-code.js';
import { inTx } from '../store/db.js';
import {
  accountById,
  accountByUsername,
  clearFailures,
  lockAccount,
  replaceRecoveryCodes,
  reserveAttempt,
  setPassword,
  setTotp,
  spendRecoveryCode,
  unusedRecoveryCodes,
  useTotpStep,
  type AccountRow,
} from '../store/accounts-repo.js';
import { deleteAccountSessions, type AccountKind } from '../store/portal-sessions-repo.js';

/** Failed attempts (passwords and codes together) before an account locks, and for how long. */
export const LOCKOUT = { attempts: 5, minutes: 15 } as const;
export const RECOVERY_CODES = 10;
/** A code of the previous or next 30-second step is accepted too (clocks of phones drift). */
const TOTP_TOLERANCE_SECONDS = 30;

export type Refusal = { ok: false; reason: 'bad' | 'locked' };
export type LoginResult = { ok: true; account: AccountRow; next: 'totp' | 'password' | 'done' } | Refusal;

/** A hash to verify against when the username is unknown, so both answers take the same time. */
let decoy: Promise<string> | undefined;
const decoyHash = () => {
  decoy ??= hashPassword('decoy password that nobody has');
  return decoy;
};

/**
 * Runs one guarded attempt: takes it from the allowance first, then `check`; a success clears the count,
 * the last allowed failure locks the account (logged).
 */
async function attempt(
  deps: Deps,
  kind: AccountKind,
  id: string,
  check: () => Promise<boolean>,
  clearOnSuccess = true,
): Promise<'ok' | 'bad' | 'locked'> {
  const n = await reserveAttempt(deps.db, kind, id, deps.clock.now(), LOCKOUT.attempts);
  if (n === undefined) {
    deps.log.warn({ accountKind: kind, accountId: id }, 'login attempt on a locked account refused');
    return 'locked';
  }
  if (await check()) {
    if (clearOnSuccess) await clearFailures(deps.db, kind, id);
    return 'ok';
  }
  if (n >= LOCKOUT.attempts) {
    const until = new Date(deps.clock.now().getTime() + LOCKOUT.minutes * 60_000);
    await lockAccount(deps.db, kind, id, until);
    deps.log.warn(
      { accountKind: kind, accountId: id, until: until.toISOString(), failures: n },
      'account locked after failed logins',
    );
    return 'locked';
  }
  deps.log.info({ accountKind: kind, accountId: id, failures: n }, 'failed login');
  return 'bad';
}

/** The first step of a login: username and password. */
export async function checkPassword(
  deps: Deps,
  kind: AccountKind,
  username: string,
  password: string,
): Promise<LoginResult> {
  const account = username ? await accountByUsername(deps.db, kind, username) : undefined;
  if (!account || account.password_hash === null || account.disabled_at !== null) {
    await verifyPassword(password, await decoyHash());
    return { ok: false, reason: 'bad' };
  }
  const hash = account.password_hash;
  const totp = account.totp_enabled_at !== null;
  // With TOTP on, the count is cleared only once the code is right too.
  const r = await attempt(deps, kind, account.id, () => verifyPassword(password, hash), !totp);
  if (r !== 'ok') return { ok: false, reason: r };
  return { ok: true, account, next: totp ? 'totp' : account.must_change_password ? 'password' : 'done' };
}

/** The second step when TOTP is on: a 6-digit code, or one of the recovery codes (spent by this use). */
export async function checkSecondFactor(
  deps: Deps,
  kind: AccountKind,
  id: string,
  typed: string,
): Promise<{ ok: true; account: AccountRow; recovery: boolean } | Refusal> {
  const account = await accountById(deps.db, kind, id);
  if (!account?.totp_secret_sealed || account.disabled_at !== null) return { ok: false, reason: 'bad' };
  const sealed = account.totp_secret_sealed;
  const code = typed.replace(/\s/g, '');
  let recovery = false;
  const r = await attempt(deps, kind, id, async () => {
    if (/^[0-9]{6}$/.test(code)) return totpMatches(deps, kind, id, deps.box.open(sealed).reveal(), code, true);
    const norm = normaliseRecoveryCode(code);
    if (!norm) return false;
    recovery = await spendRecoveryCode(deps.db, kind, id, recoveryDigest(norm), deps.clock.now());
    if (recovery) deps.log.warn({ accountKind: kind, accountId: id }, 'recovery code used');
    return recovery;
  });
  if (r !== 'ok') return { ok: false, reason: r };
  return { ok: true, account, recovery };
}

/** The 30-second step a TOTP code belongs to (otplib's result type also covers HOTP, which has none). */
const stepOf = (r: object): number => ('timeStep' in r && typeof r.timeStep === 'number' ? r.timeStep : 0);

/** Whether `code` is the current one for `secret`; `spend` records its step so it cannot be used twice. */
async function totpMatches(
  deps: Deps,
  kind: AccountKind,
  id: string,
  secret: string,
  code: string,
  spend: boolean,
): Promise<boolean> {
  const account = await accountById(deps.db, kind, id);
  const r = await verify({
    secret,
    token: code,
    epoch: Math.floor(deps.clock.now().getTime() / 1000),
    epochTolerance: TOTP_TOLERANCE_SECONDS,
    afterTimeStep: Number(account?.totp_last_step ?? 0),
  }).catch(() => ({ valid: false as const }));
  if (!r.valid) return false;
  return spend ? useTotpStep(deps.db, kind, id, stepOf(r)) : true;
}

/** The password again, before a secret is shown or changed; failures count toward the lockout. */
export async function reauthenticate(
  deps: Deps,
  kind: AccountKind,
  id: string,
  password: string,
): Promise<'ok' | 'bad' | 'locked'> {
  const account = await accountById(deps.db, kind, id);
  if (!account?.password_hash) return 'bad';
  const hash = account.password_hash;
  return attempt(deps, kind, id, () => verifyPassword(password, hash));
}

export type ChangeResult = { ok: true } | { ok: false; problem: string };

/**
 * A new password. `current` is required except for the forced change right after a login with the one-time
 * password. Every other session of the account ends (the one in `keepSid` stays).
 */
export async function changePassword(
  deps: Deps,
  kind: AccountKind,
  id: string,
  p: { current?: string; next: string; confirm: string; keepSid?: string },
): Promise<ChangeResult> {
  const account = await accountById(deps.db, kind, id);
  if (!account?.password_hash) return { ok: false, problem: 'This account has no password.' };
  const problem = passwordProblem(p.next, p.confirm, account.username);
  if (problem) return { ok: false, problem };
  if (p.current !== undefined) {
    const r = await reauthenticate(deps, kind, id, p.current);
    if (r === 'locked') return { ok: false, problem: lockedText() };
    if (r === 'bad') return { ok: false, problem: 'The current password is wrong.' };
  }
  if (await verifyPassword(p.next, account.password_hash))
    return { ok: false, problem: 'The new password must differ from the current one.' };
  const hash = await hashPassword(p.next);
  const ended = await inTx(deps.db, async (tx) => {
    await setPassword(tx, kind, id, hash, false, deps.clock.now());
    return deleteAccountSessions(tx, kind, id, p.keepSid);
  });
  deps.log.info({ accountKind: kind, accountId: id, endedSessions: ended }, 'password changed');
  return { ok: true };
}

export const lockedText = () =>
  `Too many failed attempts: this account is locked for ${LOCKOUT.minutes} minutes. Try again later.`;

/** A fresh TOTP secret (base32, 160 bits). */
export const newTotpSecret = (): string => generateSecret();

/** The current code of a secret (tests and the worked example only). */
export const totpCode = (secret: string, at: Date): Promise<string> =>
  generate({ secret, epoch: Math.floor(at.getTime() / 1000) });

/**
 * Turns TOTP on once the person proved their app has the secret (a correct code), and returns the recovery
 * codes, shown once.
 */
export async function enableTotp(
  deps: Deps,
  kind: AccountKind,
  id: string,
  secret: string,
  code: string,
): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; problem: string }> {
  const epoch = Math.floor(deps.clock.now().getTime() / 1000);
  const r = await verify({
    secret,
    token: code.replace(/\s/g, ''),
    epoch,
    epochTolerance: TOTP_TOLERANCE_SECONDS,
  }).catch(() => ({ valid: false as const }));
  if (!r.valid) return { ok: false, problem: 'That code is not the current one: check the time on your phone.' };
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  const now = deps.clock.now();
  await inTx(deps.db, async (tx) => {
    await setTotp(tx, kind, id, deps.box.seal(secret), now, stepOf(r));
    await replaceRecoveryCodes(
      tx,
      kind,
      id,
      codes.map((c) => recoveryDigest(normaliseRecoveryCode(c)!)),
      now,
    );
  });
  deps.log.info({ accountKind: kind, accountId: id }, 'TOTP enabled');
  return { ok: true, recoveryCodes: codes };
}

/** Turns TOTP off after the password is given again. */
export async function disableTotp(
  deps: Deps,
  kind: AccountKind,
  id: string,
  password: string,
): Promise<{ ok: true } | { ok: false; problem: string }> {
  const r = await reauthenticate(deps, kind, id, password);
  if (r === 'locked') return { ok: false, problem: lockedText() };
  if (r === 'bad') return { ok: false, problem: 'The password is wrong.' };
  await inTx(deps.db, async (tx) => {
    await setTotp(tx, kind, id, null, null, 0);
    await replaceRecoveryCodes(tx, kind, id, [], deps.clock.now());
  });
  deps.log.info({ accountKind: kind, accountId: id }, 'TOTP disabled');
  return { ok: true };
}

export const recoveryCodesLeft = (deps: Deps, kind: AccountKind, id: string) => unusedRecoveryCodes(deps.db, kind, id);
