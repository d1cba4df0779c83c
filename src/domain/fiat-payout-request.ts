// createFiatPayoutOrder's parameters (seed 001 §5, shared/spec M2) → a checked payout request, after the
// signature check. Every way a payout can be wrong has its own catalog code (openapi 10050-10069,
// docs/pix-payouts.md); only the rules every route shares keep their shared codes (a missing parameter
// MISSING_PARAM, an over-long id, remark or URL INVALID_PARAM, an amount above the currency's maximum
// AMOUNT_TOO_LARGE, a valid ISO currency Tender does not offer UNSUPPORTED_CURRENCY). The checks run in a
// fixed order (documented), so the same bad request always gets the same code.
import type { AssetTable } from './assets.js';
import { CardNumber } from './card-number.js';
import { TenderError } from './errors.js';
import { isIsoCountry, isIsoCurrency } from './iso-codes.js';
import { asciiUpper, type PixKey, parsePixKey } from './pix-key.js';

export type FiatPayoutAccount =
  /** payoutChannel 1: a Pix key; accountType is `key.type`. */
  | { channel: 1; key: PixKey }
  /** payoutChannel 2 (spec decision): the card number and the optional bank code (`accountCode`). */
  | { channel: 2; card: CardNumber; bankCode: string | undefined };

export interface FiatPayoutRequest {
  merchantTradeNo: string;
  userId: string;
  /** As sent; the route holds it to the replay window (assertFresh). */
  createTime: string;
  account: FiatPayoutAccount;
  /** What the user receives, in the ledger's minor units of `currency` (> 0, within its maximum). */
  amount: bigint;
  currency: string;
  country: string;
  callbackUrl: string | undefined;
  successUrl: string | undefined;
  failUrl: string | undefined;
  remark: string | undefined;
  /** Raw JSON text of an object, kept as sent. */
  extInfo: string | undefined;
}

export const PIX_CURRENCY = 'BRL';
export const PIX_COUNTRY = 'BRA';
/** seed 001 §5 gives String(256) to the URLs, remark and extInfo. */
export const TEXT_MAX = 256;

type Params = Readonly<Record<string, string | undefined>>;

const given = (p: Params, name: string): string | undefined => {
  const v = p[name];
  return v === undefined || v === '' ? undefined : v;
};

function required(p: Params, name: string): string {
  const v = given(p, name);
  if (v === undefined) throw new TenderError('MISSING_PARAM', `${name} is required`);
  return v;
}

function bounded(name: string, v: string | undefined, max: number): string | undefined {
  if (v !== undefined && v.length > max)
    throw new TenderError('INVALID_PARAM', `${name} is longer than ${max} characters`);
  return v;
}

function url(p: Params, ...names: string[]): string | undefined {
  const name = names.find((n) => given(p, n) !== undefined);
  if (!name) return undefined;
  const v = bounded(name, given(p, name), TEXT_MAX)!;
  let scheme = '';
  try {
    scheme = new URL(v).protocol;
  } catch {}
  if (scheme !== 'https:' && scheme !== 'http:')
    throw new TenderError('INVALID_PARAM', `${name} must be an absolute http(s) URL`);
  return v;
}

const DECIMAL = /^(0|[1-9][0-9]{0,29})(?:\.([0-9]{1,30}))?$/;

/** A positive decimal string with at most `exponent` significant decimals → minor units (never rounded). */
export function parsePayoutAmount(text: string, exponent: number): bigint {
  if (/^-/.test(text) && DECIMAL.test(text.slice(1)))
    throw new TenderError('PAYOUT_AMOUNT_NOT_POSITIVE', 'amount must be greater than zero');
  const m = DECIMAL.exec(text);
  if (!m)
    throw new TenderError(
      'PAYOUT_AMOUNT_INVALID',
      'amount must be a plain decimal number such as 5 or 5.50 (no sign, spaces, exponent or leading zeros)',
    );
  const frac = (m[2] ?? '').replace(/0+$/, ''); // "5.50" and "5.500" are the same amount as "5.5"
  if (frac.length > exponent)
    throw new TenderError('PAYOUT_AMOUNT_PRECISION', `amount has more than ${exponent} decimals`);
  const minor = BigInt(m[1]! + frac.padEnd(exponent, '0'));
  if (minor === 0n) throw new TenderError('PAYOUT_AMOUNT_NOT_POSITIVE', 'amount must be greater than zero');
  return minor;
}

function extInfoOf(p: Params): string | undefined {
  const v = given(p, 'extInfo');
  if (v === undefined) return undefined;
  if (v.length > TEXT_MAX) throw new TenderError('EXT_INFO_INVALID', `extInfo is longer than ${TEXT_MAX} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new TenderError('EXT_INFO_INVALID', 'extInfo is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new TenderError('EXT_INFO_INVALID', 'extInfo must be a JSON object');
  return v;
}

function currencyOf(p: Params, channel: 1 | 2, assets: AssetTable): { currency: string; exponent: number } {
  const currency = asciiUpper(required(p, 'currency'));
  if (!isIsoCurrency(currency))
    throw new TenderError('CURRENCY_CODE_INVALID', 'currency must be an ISO 4217 code such as BRL');
  if (channel === 1 && currency !== PIX_CURRENCY)
    throw new TenderError('PIX_CURRENCY_NOT_BRL', `Pix payouts (payoutChannel 1) are paid in ${PIX_CURRENCY}`);
  const asset = assets.find(currency);
  if (asset?.kind !== 'fiat')
    throw new TenderError('UNSUPPORTED_CURRENCY', `currency ${currency} is not offered for payouts`);
  return { currency, exponent: asset.exponent };
}

function countryOf(p: Params, channel: 1 | 2): string {
  const country = asciiUpper(required(p, 'country'));
  if (!isIsoCountry(country))
    throw new TenderError(
      'COUNTRY_CODE_INVALID',
      `country must be an ISO 3166-1 alpha-3 code such as ${PIX_COUNTRY}` +
        (/^[A-Z]{2}$/.test(country) ? ' (three letters)' : ''),
    );
  if (channel === 1 && country !== PIX_COUNTRY)
    throw new TenderError('PIX_COUNTRY_NOT_BRA', `Pix payouts (payoutChannel 1) go to country ${PIX_COUNTRY}`);
  return country;
}

function accountOf(p: Params, channel: 1 | 2): FiatPayoutAccount {
  const toAccount = required(p, 'toAccount');
  if (channel === 1) return { channel, key: parsePixKey(required(p, 'accountType'), toAccount) };
  // accountType names a Pix key kind and means nothing for a card: accepted and ignored on channel 2.
  const card = CardNumber.parse(toAccount);
  const bankCode = given(p, 'accountCode');
  // COMPE (3 digits), ISPB (8 digits) or a BIC (8 or 11 letters and digits).
  if (bankCode !== undefined && !/^[A-Za-z0-9]{3,11}$/.test(bankCode))
    throw new TenderError('BANK_CODE_INVALID', 'accountCode must be 3 to 11 letters or digits (COMPE, ISPB or BIC)');
  return { channel, card, bankCode: bankCode === undefined ? undefined : asciiUpper(bankCode) };
}

/**
 * The whole of M2's request, checked in this order: presence of the identifying fields, payoutChannel, currency,
 * country, amount, account (accountType + toAccount, or the card), URLs, remark, extInfo. Nothing in a refusal's
 * message repeats `toAccount`.
 */
export function parseFiatPayoutRequest(p: Params, assets: AssetTable): FiatPayoutRequest {
  const merchantTradeNo = bounded('merchantTradeNo', required(p, 'merchantTradeNo'), 64)!;
  const userId = bounded('userId', required(p, 'userId'), 64)!;
  const createTime = required(p, 'createTime');
  const channelText = required(p, 'payoutChannel');
  if (channelText !== '1' && channelText !== '2')
    throw new TenderError('PAYOUT_CHANNEL_INVALID', 'payoutChannel must be 1 (Pix) or 2 (bank card)');
  const channel = channelText === '1' ? 1 : 2;
  const { currency, exponent } = currencyOf(p, channel, assets);
  const country = countryOf(p, channel);
  const amount = parsePayoutAmount(required(p, 'amount'), exponent);
  assets.assertWithinMax(currency, amount);
  const account = accountOf(p, channel);
  return {
    merchantTradeNo,
    userId,
    createTime,
    account,
    amount,
    currency,
    country,
    callbackUrl: url(p, 'callbackURL', 'callBackURL'),
    successUrl: url(p, 'successURL'),
    failUrl: url(p, 'failURL'),
    remark: bounded('remark', given(p, 'remark'), TEXT_MAX),
    extInfo: extInfoOf(p),
  };
}

/**
 * What a retry of the same merchantTradeNo must repeat to get the same payout (else DUPLICATE_TRADE_NO), for the
 * core's request digest. The account enters only as `accountMac(account)`, a KEYED hash the caller provides
 * (e.g. HMAC-SHA256 under a key derived from the master key): the core's digest is a plain SHA-256, and a card
 * number may be kept hashed only under a key (PCI DSS 3.5.1); a CPF's 10^9 values are as easy to try.
 */
export function fiatPayoutFingerprint(
  r: FiatPayoutRequest,
  accountMac: (account: string) => string,
): Record<string, string | undefined> {
  const a = r.account;
  return {
    userId: r.userId,
    payoutChannel: String(a.channel),
    accountType: a.channel === 1 ? a.key.type : undefined,
    account: accountMac(a.channel === 1 ? a.key.reveal() : a.card.reveal()),
    accountCode: a.channel === 2 ? a.bankCode : undefined,
    amount: r.amount.toString(),
    currency: r.currency,
    country: r.country,
    callbackUrl: r.callbackUrl,
    successUrl: r.successUrl,
    failUrl: r.failUrl,
    remark: r.remark,
    extInfo: r.extInfo,
  };
}
