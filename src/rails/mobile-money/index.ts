// The sandbox mobile-money connector: no money moves; documented test numbers decide the outcome
// (docs/cinetpay.md "Sandbox mobile money"). Implements MobileMoneyRail like a real operator connector would.
import { createHash } from 'node:crypto';
import type { MobileMoneyAttempt, MobileMoneyOperator, MobileMoneyOutcome, MobileMoneyRail } from '../rail.js';
import { TenderError } from '../../domain/errors.js';

export const MOBILE_MONEY_OPERATORS: MobileMoneyOperator[] = [
  { code: 'ORANGE', name: 'Orange Money', confirmation: 'otp', paymentMethod: 'OMCIV2' },
  { code: 'MTN', name: 'MTN MoMo', confirmation: 'push', paymentMethod: 'MOMO' },
  { code: 'MOOV', name: 'Moov Money', confirmation: 'otp', paymentMethod: 'FLOOZ' },
  { code: 'WAVE', name: 'Wave', confirmation: 'push', paymentMethod: 'WAVECI' },
];

/** Country calling codes of the CinetPay region the page offers. */
export const COUNTRY_PREFIXES: { prefix: string; country: string }[] = [
  { prefix: '225', country: 'CI' },
  { prefix: '221', country: 'SN' },
  { prefix: '223', country: 'ML' },
  { prefix: '226', country: 'BF' },
  { prefix: '227', country: 'NE' },
  { prefix: '228', country: 'TG' },
  { prefix: '229', country: 'BJ' },
  { prefix: '224', country: 'GN' },
  { prefix: '237', country: 'CM' },
  { prefix: '241', country: 'GA' },
  { prefix: '242', country: 'CG' },
  { prefix: '243', country: 'CD' },
];

/** The sandbox's test numbers (national part, any prefix). Any other valid number behaves like SUCCESS. */
export const TEST_NUMBERS = {
  SUCCESS: '0700000001',
  INSUFFICIENT_BALANCE: '0700000002',
  WRONG_OTP: '0700000003',
  CUSTOMER_TIMEOUT: '0700000004',
} as const;

/** The OTP the sandbox accepts (OTP operators); three wrong entries fail the payment. */
export const SANDBOX_OTP = '123456';
export const MAX_OTP_ATTEMPTS = 3;
/** Push operators: the simulated customer approves this long after the request. */
export const PUSH_APPROVAL_MS = 2000;
/** The customer has this long to confirm; after it the payment fails with customer_timeout. */
export const CONFIRMATION_WINDOW_MS = 120_000;

export function operatorOf(code: string): MobileMoneyOperator | undefined {
  return MOBILE_MONEY_OPERATORS.find((o) => o.code === code);
}

/** National number: 8 to 10 digits once spaces are removed; the prefix must be an offered one. */
export function normalisePhone(prefix: string, phone: string): { prefix: string; phone: string } {
  const p = prefix.replace(/^\+|^00/, '').trim();
  const n = phone.replace(/[\s.-]/g, '');
  if (!COUNTRY_PREFIXES.some((c) => c.prefix === p))
    throw new TenderError('INVALID_PARAM', 'country prefix is not supported');
  if (!/^[0-9]{8,10}$/.test(n)) throw new TenderError('INVALID_PARAM', 'phone number must have 8 to 10 digits');
  return { prefix: p, phone: n };
}

const scenario = (phone: string) =>
  phone === TEST_NUMBERS.INSUFFICIENT_BALANCE
    ? 'insufficient'
    : phone === TEST_NUMBERS.WRONG_OTP
      ? 'wrong_otp'
      : phone === TEST_NUMBERS.CUSTOMER_TIMEOUT
        ? 'timeout'
        : 'success';

function afterConfirmation(a: MobileMoneyAttempt): MobileMoneyOutcome {
  const s = scenario(a.phone);
  if (s === 'insufficient') return { kind: 'failed', reason: 'insufficient_balance' };
  if (s === 'wrong_otp') return { kind: 'failed', reason: 'declined' };
  return { kind: 'succeeded' };
}

export const sandboxMobileMoney: MobileMoneyRail = {
  id: 'mobile-money-sandbox',
  supports: (deps) => deps.config.mode === 'sandbox',
  checkout: () => ({ title: 'Mobile money (sandbox)', testButtons: false }),
  operators: () => MOBILE_MONEY_OPERATORS,

  async initiate(req) {
    const op = operatorOf(req.operator);
    if (!op) throw new TenderError('INVALID_PARAM', 'unknown mobile-money operator');
    const p = (n: number) => String(n).padStart(2, '0');
    const t = req.now;
    const stamp =
      p(t.getUTCFullYear() % 100) +
      p(t.getUTCMonth() + 1) +
      p(t.getUTCDate()) +
      p(t.getUTCHours()) +
      p(t.getUTCMinutes()) +
      p(t.getUTCSeconds());
    // Idempotent like an operator API keyed by the merchant's reference: the same order (and start time)
    // always gets the same reference, so the core may ask again after a crash (src/core/mobile-money.ts).
    const ref = createHash('sha256').update(req.orderId).digest().readUInt32BE(0) % 1_000_000;
    return {
      operatorId: `${op.paymentMethod.slice(0, 2)}${stamp}.${String(ref).padStart(6, '0')}`,
      confirmation: op.confirmation,
      deadline: new Date(t.getTime() + CONFIRMATION_WINDOW_MS),
    };
  },

  async submitOtp(a, otp, now) {
    if (a.confirmation !== 'otp') return this.poll(a, now);
    if (now >= a.deadline) return { kind: 'failed', reason: 'customer_timeout' };
    const s = scenario(a.phone);
    if (s === 'timeout') return { kind: 'pending' };
    // The operator refuses every code once the limit is reached, even the right one.
    if (a.otpAttempts >= MAX_OTP_ATTEMPTS) return { kind: 'failed', reason: 'otp_error' };
    if (s === 'wrong_otp' || otp.trim() !== SANDBOX_OTP) {
      const left = MAX_OTP_ATTEMPTS - (a.otpAttempts + 1);
      return left > 0 ? { kind: 'retry_otp', attemptsLeft: left } : { kind: 'failed', reason: 'otp_error' };
    }
    return afterConfirmation(a);
  },

  async poll(a, now) {
    if (now >= a.deadline) return { kind: 'failed', reason: 'customer_timeout' };
    if (a.confirmation === 'otp' || scenario(a.phone) === 'timeout') return { kind: 'pending' };
    if (now.getTime() - a.startedAt.getTime() < PUSH_APPROVAL_MS) return { kind: 'pending' };
    return afterConfirmation(a);
  },
};
