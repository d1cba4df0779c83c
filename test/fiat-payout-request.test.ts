// createFiatPayoutOrder's whole request (src/domain/fiat-payout-request.ts, shared/spec M2): one test per catalog
// code in openapi's 10050-10069 range, the shared codes it keeps, and the contract schema that runs before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssetTable } from '../src/domain/assets.js';
import { ERRORS, TenderError, type ErrorCode } from '../src/domain/errors.js';
import { fiatPayoutFingerprint, parseFiatPayoutRequest } from '../src/domain/fiat-payout-request.js';
import { OPENAPI_CODES } from '../src/api/openapi/error-codes.js';
import { CINETPAY_BY_CATALOG } from '../src/domain/cinetpay.js';
import { FiatPayoutData, FiatPayoutParams } from '../src/api/openapi/fiat-payout-schemas.js';
import { Value } from '@sinclair/typebox/value';
import { checker } from '../src/api/schema-check.js';
import { renderRefusal } from '../src/api/refusal.js';
import { readFileSync } from 'node:fs';

// The assets table as migrations 001 and 009 seed it (fiat rows and one crypto row).
const ASSETS = new AssetTable([
  { code: 'BRL', network: '', exponent: 2, kind: 'fiat', maxAmount: 500000000n },
  { code: 'USD', network: '', exponent: 2, kind: 'fiat', maxAmount: 100000000n },
  { code: 'XOF', network: '', exponent: 0, kind: 'fiat', maxAmount: 500000000n },
  { code: 'USDT', network: '', exponent: 6, kind: 'crypto', maxAmount: 1000000000000n },
]);

const PIX: Record<string, string> = {
  merchantId: '20000001',
  sign: 'checked before',
  merchantTradeNo: 'test07',
  userId: '1001',
  createTime: '1678438482000',
  payoutChannel: '1',
  amount: '5',
  currency: 'BRL',
  country: 'BRA',
  accountType: '1',
  toAccount: '529.982.247-25',
};
const CARD: Record<string, string> = {
  ...PIX,
  payoutChannel: '2',
  currency: 'USD',
  country: 'USA',
  accountType: '',
  toAccount: '4111111111111111',
  accountCode: '001',
};

const refused = (p: Record<string, string>, code: ErrorCode) =>
  assert.throws(
    () => parseFiatPayoutRequest(p, ASSETS),
    (e: unknown) => {
      assert.ok(e instanceof TenderError, String(e));
      assert.equal(e.code, code, e.message);
      if (p.toAccount) assert.ok(!e.message.includes(p.toAccount), 'toAccount is never echoed');
      return true;
    },
  );

test('issue 11: the seed example (Pix, CPF) is accepted and normalised', () => {
  const r = parseFiatPayoutRequest(PIX, ASSETS);
  assert.equal(r.amount, 500n);
  assert.equal(r.currency, 'BRL');
  assert.equal(r.country, 'BRA');
  assert.equal(r.account.channel, 1);
  assert.ok(r.account.channel === 1 && r.account.key.type === 'cpf' && r.account.key.reveal() === '52998224725');
  const lower = parseFiatPayoutRequest({ ...PIX, currency: 'brl', country: 'bra', amount: '5.50' }, ASSETS);
  assert.equal(lower.currency, 'BRL');
  assert.equal(lower.amount, 550n);
  assert.equal(
    parseFiatPayoutRequest({ ...PIX, amount: '5.500' }, ASSETS).amount,
    550n,
    'trailing zeros are no decimals',
  );
});

test('issue 11: a card payout (channel 2) carries the card and the bank code; accountType is ignored', () => {
  const r = parseFiatPayoutRequest({ ...CARD, accountType: '7', accountCode: 'bbdebrsp' }, ASSETS);
  assert.ok(r.account.channel === 2);
  assert.equal(r.account.card.reveal(), '4111111111111111');
  assert.equal(r.account.bankCode, 'BBDEBRSP');
  assert.equal(parseFiatPayoutRequest({ ...CARD, accountCode: '' }, ASSETS).account.channel, 2);
  assert.equal(
    parseFiatPayoutRequest({ ...CARD, currency: 'XOF', country: 'SEN', amount: '1500' }, ASSETS).amount,
    1500n,
  );
});

test('issue 11: Pix ignores accountCode whatever it holds', () => {
  assert.equal(parseFiatPayoutRequest({ ...PIX, accountCode: '!!' }, ASSETS).account.channel, 1);
});

test('issue 11: payoutChannel other than 1 or 2 is PAYOUT_CHANNEL_INVALID (10050)', () => {
  for (const c of ['0', '3', '01', '1 ', 'pix', '１']) refused({ ...PIX, payoutChannel: c }, 'PAYOUT_CHANNEL_INVALID');
});

test('issue 11: accountType outside 1-4 on Pix is PIX_ACCOUNT_TYPE_INVALID (10051); missing is MISSING_PARAM', () => {
  refused({ ...PIX, accountType: '5' }, 'PIX_ACCOUNT_TYPE_INVALID');
  refused({ ...PIX, accountType: '' }, 'MISSING_PARAM');
});

test('issue 11: a tax id of neither shape is PIX_TAX_ID_INVALID (10052)', () => {
  refused({ ...PIX, toAccount: '5299822472' }, 'PIX_TAX_ID_INVALID');
});

test('issue 11: a CPF with wrong check digits is PIX_CPF_INVALID (10053)', () => {
  refused({ ...PIX, toAccount: '529.982.247-52' }, 'PIX_CPF_INVALID');
});

test('issue 11: a CNPJ (numeric or alphanumeric) with wrong check digits is PIX_CNPJ_INVALID (10054)', () => {
  refused({ ...PIX, toAccount: '11.222.333/0001-80' }, 'PIX_CNPJ_INVALID');
  refused({ ...PIX, toAccount: '12.ABC.345/01DE-53' }, 'PIX_CNPJ_INVALID');
  assert.equal(parseFiatPayoutRequest({ ...PIX, toAccount: '12.ABC.345/01DE-35' }, ASSETS).account.channel, 1);
});

test('issue 11: a bad e-mail key is PIX_EMAIL_INVALID (10055)', () => {
  refused({ ...PIX, accountType: '2', toAccount: 'maria@localhost' }, 'PIX_EMAIL_INVALID');
});

test('issue 11: a phone key without +55 is PIX_PHONE_NOT_BRAZILIAN (10056)', () => {
  refused({ ...PIX, accountType: '3', toAccount: '+12025550123' }, 'PIX_PHONE_NOT_BRAZILIAN');
});

test('issue 11: a phone key with an unused DDD is PIX_PHONE_AREA_CODE_INVALID (10057)', () => {
  refused({ ...PIX, accountType: '3', toAccount: '+5520987654321' }, 'PIX_PHONE_AREA_CODE_INVALID');
});

test('issue 11: a phone key of the wrong length or kind is PIX_PHONE_NUMBER_INVALID (10058)', () => {
  refused({ ...PIX, accountType: '3', toAccount: '+5511887654321' }, 'PIX_PHONE_NUMBER_INVALID');
});

test('issue 11: a random key that is not a UUID v4 is PIX_RANDOM_KEY_INVALID (10059)', () => {
  refused({ ...PIX, accountType: '4', toAccount: '123e4567-e89b-12d3-a456-426614174000' }, 'PIX_RANDOM_KEY_INVALID');
});

test('issue 11: Pix in another ISO currency is PIX_CURRENCY_NOT_BRL (10060)', () => {
  refused({ ...PIX, currency: 'USD' }, 'PIX_CURRENCY_NOT_BRL');
  refused({ ...PIX, currency: 'EUR' }, 'PIX_CURRENCY_NOT_BRL');
});

test('issue 11: Pix to another country is PIX_COUNTRY_NOT_BRA (10061)', () => {
  refused({ ...PIX, country: 'PRT' }, 'PIX_COUNTRY_NOT_BRA');
});

test('issue 11: an amount that is not a plain decimal is PAYOUT_AMOUNT_INVALID (10062)', () => {
  for (const a of ['5,50', '5.', '.5', '05', '1e3', ' 5', '+5', '5 BRL', 'NaN', '0x10', '1'.repeat(31)])
    refused({ ...PIX, amount: a }, 'PAYOUT_AMOUNT_INVALID');
});

test('issue 11: an amount with more decimals than the currency is PAYOUT_AMOUNT_PRECISION (10063)', () => {
  refused({ ...PIX, amount: '5.001' }, 'PAYOUT_AMOUNT_PRECISION');
  refused({ ...CARD, currency: 'XOF', country: 'SEN', amount: '1500.5' }, 'PAYOUT_AMOUNT_PRECISION');
});

test('issue 11: a zero or negative amount is PAYOUT_AMOUNT_NOT_POSITIVE (10064)', () => {
  for (const a of ['0', '0.00', '-5', '-0.01']) refused({ ...PIX, amount: a }, 'PAYOUT_AMOUNT_NOT_POSITIVE');
});

test('issue 11: an amount above the currency maximum keeps the shared AMOUNT_TOO_LARGE (10015)', () => {
  assert.equal(parseFiatPayoutRequest({ ...PIX, amount: '5000000.00' }, ASSETS).amount, 500000000n);
  refused({ ...PIX, amount: '5000000.01' }, 'AMOUNT_TOO_LARGE');
});

test('issue 11: a currency that is not ISO 4217 is CURRENCY_CODE_INVALID (10065), on both channels', () => {
  for (const c of ['BRZ', 'USDT', 'BR', 'R$', 'XYZ']) {
    refused({ ...PIX, currency: c }, 'CURRENCY_CODE_INVALID');
    refused({ ...CARD, currency: c }, 'CURRENCY_CODE_INVALID');
  }
});

test('issue 11: an ISO currency Tender does not offer keeps the shared UNSUPPORTED_CURRENCY (10013)', () => {
  refused({ ...CARD, currency: 'JPY' }, 'UNSUPPORTED_CURRENCY');
});

test('issue 11: a country that is not ISO 3166-1 alpha-3 is COUNTRY_CODE_INVALID (10066), on both channels', () => {
  for (const c of ['BR', 'XXX', 'BRAZIL', 'UK', 'EUR']) {
    refused({ ...PIX, country: c }, 'COUNTRY_CODE_INVALID');
    refused({ ...CARD, country: c }, 'COUNTRY_CODE_INVALID');
  }
});

test('issue 11: a bad card number on channel 2 is CARD_NUMBER_INVALID (10067)', () => {
  refused({ ...CARD, toAccount: '4111111111111112' }, 'CARD_NUMBER_INVALID');
  refused({ ...CARD, toAccount: 'maria@example.com' }, 'CARD_NUMBER_INVALID');
  refused({ ...CARD, toAccount: '4'.repeat(129) }, 'CARD_NUMBER_INVALID');
});

test('issue 11: a malformed accountCode on channel 2 is BANK_CODE_INVALID (10068)', () => {
  for (const c of ['01', '001 ', 'BANK-CODE', '123456789012'])
    refused({ ...CARD, accountCode: c }, 'BANK_CODE_INVALID');
});

test('issue 11: extInfo that is not a JSON object of at most 256 characters is EXT_INFO_INVALID (10069)', () => {
  assert.equal(parseFiatPayoutRequest({ ...PIX, extInfo: '{"a":1}' }, ASSETS).extInfo, '{"a":1}');
  for (const x of ['not json', '[1,2]', '"text"', '42', 'null', `{"a":"${'x'.repeat(250)}"}`])
    refused({ ...PIX, extInfo: x }, 'EXT_INFO_INVALID');
});

test('issue 11: every mandatory parameter of M2 is MISSING_PARAM (10010) when absent or empty', () => {
  for (const name of ['merchantTradeNo', 'userId', 'createTime', 'payoutChannel', 'amount', 'currency', 'country']) {
    const p = { ...PIX };
    delete p[name];
    refused(p, 'MISSING_PARAM');
    refused({ ...PIX, [name]: '' }, 'MISSING_PARAM');
  }
  refused({ ...PIX, toAccount: '' }, 'MISSING_PARAM');
  refused({ ...CARD, toAccount: '' }, 'MISSING_PARAM');
});

test('issue 11: over-long ids, remark and URLs keep the shared INVALID_PARAM (10011)', () => {
  refused({ ...PIX, merchantTradeNo: 'x'.repeat(65) }, 'INVALID_PARAM');
  refused({ ...PIX, userId: 'x'.repeat(65) }, 'INVALID_PARAM');
  refused({ ...PIX, remark: 'x'.repeat(257) }, 'INVALID_PARAM');
  refused({ ...PIX, callBackURL: `https://example.com/${'x'.repeat(240)}` }, 'INVALID_PARAM');
  refused({ ...PIX, successURL: 'javascript:alert(1)' }, 'INVALID_PARAM');
  refused({ ...PIX, failURL: 'not a url' }, 'INVALID_PARAM');
  const ok = parseFiatPayoutRequest(
    { ...PIX, callBackURL: 'https://m.example/cb', successURL: 'https://m.example/ok', remark: 'x'.repeat(256) },
    ASSETS,
  );
  assert.equal(ok.callbackUrl, 'https://m.example/cb');
  assert.equal(
    parseFiatPayoutRequest({ ...PIX, callbackURL: 'https://m.example/a' }, ASSETS).callbackUrl,
    'https://m.example/a',
  );
});

test("issue 11: the checks run in a fixed order, so a request wrong in several ways gets the first rule's code", () => {
  const wrong = { ...PIX, payoutChannel: '1', currency: 'USD', country: 'USA', amount: '0', toAccount: 'qqq' };
  refused(wrong, 'PIX_CURRENCY_NOT_BRL');
  refused({ ...wrong, currency: 'BRL' }, 'PIX_COUNTRY_NOT_BRA');
  refused({ ...wrong, currency: 'BRL', country: 'BRA' }, 'PAYOUT_AMOUNT_NOT_POSITIVE');
  refused({ ...wrong, currency: 'BRL', country: 'BRA', amount: '1' }, 'PIX_TAX_ID_INVALID');
});

test('issue 11: the contract schema lets the specific codes through (it runs before the domain check)', () => {
  const check = checker(FiatPayoutParams);
  const cases: [Record<string, string>, ErrorCode][] = [
    [{ ...PIX, amount: '-5' }, 'PAYOUT_AMOUNT_NOT_POSITIVE'],
    [{ ...PIX, amount: '5,5' }, 'PAYOUT_AMOUNT_INVALID'],
    [{ ...PIX, payoutChannel: 'x' }, 'PAYOUT_CHANNEL_INVALID'],
    [{ ...PIX, currency: 'R$' }, 'CURRENCY_CODE_INVALID'],
    [{ ...PIX, accountType: '3', toAccount: '+55 (20) 98765-4321' }, 'PIX_PHONE_AREA_CODE_INVALID'],
    [{ ...PIX, extInfo: '[' }, 'EXT_INFO_INVALID'],
  ];
  for (const [p, code] of cases) {
    check(p);
    refused(p, code);
  }
  assert.throws(
    () => check({ ...PIX, merchantTradeNo: 'a b' }),
    (e: unknown) => (e as TenderError).code === 'INVALID_PARAM',
  );
});

const RANGE: ErrorCode[] = [
  'PAYOUT_CHANNEL_INVALID',
  'PIX_ACCOUNT_TYPE_INVALID',
  'PIX_TAX_ID_INVALID',
  'PIX_CPF_INVALID',
  'PIX_CNPJ_INVALID',
  'PIX_EMAIL_INVALID',
  'PIX_PHONE_NOT_BRAZILIAN',
  'PIX_PHONE_AREA_CODE_INVALID',
  'PIX_PHONE_NUMBER_INVALID',
  'PIX_RANDOM_KEY_INVALID',
  'PIX_CURRENCY_NOT_BRL',
  'PIX_COUNTRY_NOT_BRA',
  'PAYOUT_AMOUNT_INVALID',
  'PAYOUT_AMOUNT_PRECISION',
  'PAYOUT_AMOUNT_NOT_POSITIVE',
  'CURRENCY_CODE_INVALID',
  'COUNTRY_CODE_INVALID',
  'CARD_NUMBER_INVALID',
  'BANK_CODE_INVALID',
  'EXT_INFO_INVALID',
];

test('issue 11: the fiat payout codes are 10050-10069 in openapi, distinct, documented and rendered by every dialect', () => {
  assert.deepEqual(
    RANGE.map((c) => OPENAPI_CODES[c]),
    Array.from({ length: 20 }, (_, i) => 10050 + i),
  );
  const all = Object.values(OPENAPI_CODES);
  assert.equal(new Set(all).size, all.length, 'no openapi code is used twice');
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const c of RANGE) {
    assert.equal(ERRORS[c].kind, 'validation');
    assert.match(
      doc,
      new RegExp(`^\\| ${c} \\| validation \\| ${OPENAPI_CODES[c]} \\| \`${c.toLowerCase()}\` \\(400\\)`, 'm'),
    );
    const openapi = renderRefusal('/openapi/v1/createFiatPayoutOrder', c, ERRORS[c].message, 't');
    assert.equal(openapi.status, 200);
    assert.equal(JSON.parse(openapi.body).code, OPENAPI_CODES[c]);
    const minimal = renderRefusal('/api/start_payment', c, ERRORS[c].message, 't');
    assert.equal(minimal.status, 400);
    assert.equal(JSON.parse(minimal.body).code, c.toLowerCase());
    const cinetpay = renderRefusal('/v2/payment', c, ERRORS[c].message, 't');
    assert.equal(JSON.parse(cinetpay.body).code, (CINETPAY_BY_CATALOG[c] ?? { code: '624' }).code);
  }
});

test('issue 11: the idempotency fingerprint holds the account only through the keyed hash it is given', async () => {
  const { createHmac } = await import('node:crypto');
  const mac = (a: string) => createHmac('sha256', 'test key').update(a).digest('hex');
  const card = fiatPayoutFingerprint(parseFiatPayoutRequest(CARD, ASSETS), mac);
  const pix = fiatPayoutFingerprint(parseFiatPayoutRequest(PIX, ASSETS), mac);
  assert.ok(!JSON.stringify(card).includes('4111111111111111'));
  assert.ok(!JSON.stringify(pix).includes('52998224725'));
  assert.equal(card.account, mac('4111111111111111'));
  // The same payout written differently (CPF punctuation, lower-case currency) is the same request.
  const again = parseFiatPayoutRequest({ ...PIX, toAccount: '52998224725', currency: 'brl', amount: '5.00' }, ASSETS);
  assert.deepEqual(fiatPayoutFingerprint(again, mac), pix);
  const other = parseFiatPayoutRequest({ ...PIX, toAccount: '000.000.001-91' }, ASSETS);
  assert.notEqual(fiatPayoutFingerprint(other, mac).account, pix.account);
  const more = parseFiatPayoutRequest({ ...PIX, amount: '5.01' }, ASSETS);
  assert.notDeepEqual(fiatPayoutFingerprint(more, mac), pix);
});

test('issue 11: currency and country fold ASCII case only, so look-alikes are not ISO codes', () => {
  refused({ ...CARD, currency: 'u\u017Fd' }, 'CURRENCY_CODE_INVALID'); // 'uſd'.toUpperCase() is 'USD'
  refused({ ...CARD, country: '\u017Fwe' }, 'COUNTRY_CODE_INVALID'); // 'ſwe'.toUpperCase() is 'SWE'
  refused({ ...CARD, country: 'u\u017Fa' }, 'COUNTRY_CODE_INVALID');
});

test('issue 11: the seed 001 §5 request example (a real CPF in place of its placeholder) is accepted', () => {
  const seed = Object.fromEntries(
    new URLSearchParams(
      'merchantId=20003092&merchantTradeNo=test07&createTime=1663674686509&userId=1001&currency=BRL&payoutChannel=1' +
        '&amount=5&country=BRA&sign=b4c29ae2&accountType=1&toAccount=52998224725&callBackURL=https://www.baidu.com' +
        '&successURL=https://cashier.cpay.ltd/succed&failURL=https://cashier.cpay.ltd/lose&remark=remark&extInfo=',
    ),
  );
  checker(FiatPayoutParams)(seed);
  const r = parseFiatPayoutRequest(seed, ASSETS);
  assert.equal(r.amount, 500n);
  assert.equal(r.extInfo, undefined, 'an empty extInfo is no extInfo');
  assert.equal(r.callbackUrl, 'https://www.baidu.com');
  assert.equal(r.remark, 'remark');
});

test('issue 11: the seed 001 §5 answer example fits the FiatPayoutData schema (all strings)', () => {
  const data = {
    merchantId: '20003092',
    currency: 'BRL',
    orderAmount: '5.5',
    receivedAmount: '5',
    fee: '0.5',
    merchantTradeNo: 'test07',
    remark: 'remark',
    status: '11',
    orderId: '23031008544224390123',
    merchantUserId: '1001',
    createTime: '1678438482000',
  };
  assert.ok(Value.Check(FiatPayoutData, data), JSON.stringify([...Value.Errors(FiatPayoutData, data)]));
  assert.ok(!Value.Check(FiatPayoutData, { ...data, status: 11 }), 'status is a string');
  assert.ok(!Value.Check(FiatPayoutData, { ...data, orderAmount: 5.5 }), 'amounts are strings');
});
