import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalString, signParams, verifyParams } from '../src/domain/signature.js';
import { formatMinor, parseDecimal, rescale, feeFor } from '../src/domain/money.js';
import { canTransition, assertTransition } from '../src/domain/order-status.js';
import { orderPaymentEntry, assertBalanced } from '../src/domain/ledger.js';
import { topLevelRawFields } from '../src/domain/raw-json.js';
import { Secret } from '../src/domain/secret.js';
import { secretBox } from '../src/domain/secret-box.js';
import { hashPassword, verifyPassword } from '../src/domain/password.js';
import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';

test('signature: the worked example of shared/spec/cpay.md', () => {
  const p = { aa: 'hello', xx: '1001', yy: '' };
  assert.equal(canonicalString(p, 'abc123'), 'aa=hello&xx=1001&key=abc123');
  assert.equal(signParams(p, 'abc123'), '1c4492e23f7812c5781a30046c5d760ba3ae344de99a5700542715866f448825');
  assert.ok(
    verifyParams(
      { ...p, sign: '1c4492e23f7812c5781a30046c5d760ba3ae344de99a5700542715866f448825' },
      'abc123',
      '1c4492e23f7812c5781a30046c5d760ba3ae344de99a5700542715866f448825',
    ),
  );
  assert.ok(!verifyParams(p, 'abc124', '1c4492e23f7812c5781a30046c5d760ba3ae344de99a5700542715866f448825'));
  assert.ok(!verifyParams(p, 'abc123', 'short'));
});

test('signature: byte order sort, sign excluded', () => {
  assert.equal(canonicalString({ b: '1', B: '2', a: '3', sign: 'x' }, 'k'), 'B=2&a=3&b=1&key=k');
});

test('money: exact parsing, refusal of what cannot be represented', () => {
  assert.equal(parseDecimal('12.5', 6), 12_500_000n);
  assert.equal(parseDecimal('0.000001', 6), 1n);
  assert.equal(parseDecimal('1.10', 2), 110n);
  assert.equal(parseDecimal('1.000000000000000001', 18, 'amount', 18), 1_000_000_000_000_000_001n);
  for (const bad of ['', '-1', '1e3', ' 1', '1.', '.5', '01', '1,5', 'NaN'])
    assert.throws(() => parseDecimal(bad, 6), /amount/);
  assert.throws(() => parseDecimal('0.0000001', 6), /more than 6 decimals/);
  assert.throws(() => parseDecimal('0.123456789', 18, 'amount', 8), /more than 8 decimals/);
  assert.equal(formatMinor(12_500_000n, 6), '12.5');
  assert.equal(formatMinor(0n, 18), '0');
  assert.equal(formatMinor(10n ** 30n, 18), '1000000000000');
  assert.equal(rescale(1_000_000n, 6, 18), 10n ** 18n);
  assert.throws(() => rescale(1n, 18, 6), /without rounding/);
  assert.equal(feeFor(10_000n, 150), 150n);
  assert.equal(feeFor(99n, 150), 1n);
});

test('state machine: completed and closed are final', () => {
  assert.ok(canTransition(0, 14));
  assert.ok(canTransition(11, 15));
  assert.ok(!canTransition(14, 15));
  assert.ok(!canTransition(15, 14));
  assert.ok(!canTransition(11, 0));
  assert.throws(() => assertTransition(14, 14), /cannot go/);
});

test('ledger: payment entry balances, unbalanced entries refused', () => {
  const e = orderPaymentEntry({
    orderId: 'o',
    merchantId: '1',
    rail: 'sandbox',
    currency: 'USD',
    gross: 1000n,
    fee: 15n,
  });
  assert.equal(
    e.postings.reduce((s, p) => s + p.amount, 0n),
    0n,
  );
  assert.throws(
    () =>
      assertBalanced({
        kind: 'x',
        orderId: null,
        memo: '',
        postings: [{ account: { kind: 'fee_revenue', currency: 'USD' }, amount: 1n }],
      }),
    /unbalanced/,
  );
});

test('raw JSON fields keep values as sent', () => {
  const f = topLevelRawFields(
    '{"amount": 1.10, "merchantId":20000001, "s":"a\\"b", "data":[{"x": 1}], "n": null, "t": true}',
  );
  assert.deepEqual(
    { ...f },
    { amount: '1.10', merchantId: '20000001', s: 'a"b', data: '[{"x": 1}]', n: '', t: 'true' },
  );
  assert.throws(() => topLevelRawFields('[1]'), /object/);
  assert.throws(() => topLevelRawFields('{bad'), /valid JSON/);
});

test('secrets redact themselves and seal with AES-GCM', async () => {
  const s = new Secret('top');
  assert.equal(String(s), '[REDACTED]');
  assert.equal(JSON.stringify({ s }), '{"s":"[REDACTED]"}');
  assert.ok(!inspect(s).includes('top'));
  const box = secretBox(randomBytes(32));
  const sealed = box.seal('hunter2');
  assert.ok(!sealed.includes('hunter2'));
  assert.equal(box.open(sealed).reveal(), 'hunter2');
  assert.throws(() => secretBox(randomBytes(32)).open(sealed));
  const h = await hashPassword('pw');
  assert.ok(await verifyPassword('pw', h));
  assert.ok(!(await verifyPassword('pw2', h)));
});
