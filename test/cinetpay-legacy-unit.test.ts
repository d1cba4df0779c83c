// Issue 10: the pure parts of CinetPay's legacy signature-form API (src/domain/cinetpay-legacy.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalFields,
  legacyResult,
  legacyTransaction,
  parseLegacyForm,
  type LegacySignedFields,
} from '../src/domain/cinetpay-legacy.js';

test('issue 10: the PHP SDK body, not url-encoded, is read raw (spaces, @, :, / and a lone & kept)', () => {
  const f = parseLegacyForm(
    'apikey=k.1&cpm_site_id=5000001&cpm_designation=Mon produit de ref: 42 & co&cpm_custom=a@b.ci&' +
      'notify_url=http://x.ci/n?a=1&cpm_amount=150',
  );
  assert.equal(f.get('cpm_designation'), 'Mon produit de ref: 42 & co');
  assert.equal(f.get('cpm_custom'), 'a@b.ci');
  assert.equal(f.get('notify_url'), 'http://x.ci/n?a=1');
  assert.equal(f.get('cpm_amount'), '150');
  // Raw '+' and '%' are literal when the body is raw.
  assert.equal(parseLegacyForm('cpm_designation=10% + 5 de remise').get('cpm_designation'), '10% + 5 de remise');
});

test('issue 10: a url-encoded body (Node library, browsers, http_build_query) is decoded', () => {
  const f = parseLegacyForm('username=k&password=5000001&cpm_designation=Mon+produit%3A+%C3%A9t%C3%A9&x=%40');
  assert.equal(f.get('username'), 'k');
  assert.equal(f.get('cpm_designation'), 'Mon produit: été');
  assert.equal(f.get('x'), '@');
  // The first of a repeated name wins, in both readings.
  assert.equal(parseLegacyForm('a=1&a=2').get('a'), '1');
  assert.equal(parseLegacyForm('a=1 &a=2').get('a'), '1 ');
  assert.equal(parseLegacyForm('').size, 0);
  // A broken escape means the body was not url-encoded: kept as is.
  assert.equal(parseLegacyForm('a=100%ZZ').get('a'), '100%ZZ');
});

const fields: LegacySignedFields = {
  currency: 'XOF',
  paymentConfig: 'SINGLE',
  pageAction: 'PAYMENT',
  version: 'V2',
  language: 'fr',
  transDate: '20261204204100',
  transId: 't1',
  designation: 'd',
  amount: 150n,
  amountText: '150',
  custom: '',
};

test('issue 10: the signed fields bind every field a tampered form could change, not the amount spelling', () => {
  const base = canonicalFields(fields);
  assert.equal(canonicalFields({ ...fields, amountText: '150.0' }), base);
  for (const [k, v] of [
    ['amount', 100n],
    ['currency', 'XAF'],
    ['designation', 'e'],
    ['custom', 'x'],
    ['transDate', '2026'],
    ['transId', 't2'],
    ['version', 'V1'],
    ['language', 'en'],
    ['pageAction', 'DONATION'],
    ['paymentConfig', 'MULTI'],
  ] as const)
    assert.notEqual(canonicalFields({ ...fields, [k]: v }), base, k);
});

test('issue 10: checkPayStatus vocabulary: 00 ACCEPTED paid, waiting never refused, failures by reason', () => {
  assert.deepEqual(legacyResult(14, ''), { result: '00', transStatus: 'ACCEPTED', message: 'SUCCES' });
  assert.equal(legacyResult(0, '').transStatus, 'WAITING_FOR_CUSTOMER');
  assert.equal(legacyResult(11, '').transStatus, 'WAITING_FOR_CUSTOMER');
  assert.equal(legacyResult(15, 'insufficient_balance').result, '602');
  assert.equal(legacyResult(15, 'expired').result, '627');
  assert.equal(legacyResult(15, 'declined').result, '600');
  const t = legacyTransaction({
    siteId: '1',
    signature: 's',
    amount: '150',
    currency: 'XOF',
    transId: 't',
    transDate: 'd',
    custom: '',
    designation: 'x',
    orderId: 'o',
    status: 0,
    remark: '',
    paymentMethod: '',
    phone: '',
    phonePrefix: '',
    buyerName: '',
    ipnAck: false,
    createdAt: new Date('2026-12-04T20:41:00Z'),
    updatedAt: new Date('2026-12-04T20:41:00Z'),
    completedAt: null,
  });
  assert.equal(t.cpm_payid, '');
  assert.equal(t.cpm_payment_date, '');
  assert.equal(t.cpm_ipn_ack, 'N');
  assert.equal(t.created_at, '2026-12-04 20:41:00');
});
