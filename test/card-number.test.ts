// Card numbers for createFiatPayoutOrder's channel 2 (src/domain/card-number.ts): Luhn, 12-19 digits, and a
// number that never reaches JSON, inspect, an Error message or a pino log line (issue 11, shared/spec M2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { CardNumber, luhnValid, maskPan } from '../src/domain/card-number.js';
import { TenderError } from '../src/domain/errors.js';
import { AssetTable } from '../src/domain/assets.js';
import { parseFiatPayoutRequest } from '../src/domain/fiat-payout-request.js';
import { createLogger } from '../src/runtime.js';
import { reqSerializer } from '../src/api/log-mask.js';
import { buildApp } from '../src/app.js';
import type { Config } from '../src/config.js';
import { startTestEnv, type TestEnv } from './harness.js';

/** The check digit computed the textbook way (independently of luhnValid): base digits doubled from the right. */
function withCheckDigit(base: string): string {
  const digits = [...base].reverse().map(Number);
  const sum = digits.reduce((s, d, i) => s + (i % 2 === 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  return base + String((10 - (sum % 10)) % 10);
}

const PAN = '4111111111111111';

test("issue 11: Luhn accepts the networks' published test numbers and the computed 12- and 19-digit ones", () => {
  for (const pan of [
    PAN,
    '5555555555554444',
    '378282246310005',
    '4222222222222',
    '6011111111111117',
    '3530111333300000',
    withCheckDigit('12345678901'),
    withCheckDigit('600000000000000000'),
  ]) {
    assert.ok(luhnValid(pan), pan);
    assert.equal(CardNumber.parse(pan).reveal(), pan);
  }
});

test('issue 11: every single-digit change and every adjacent swap of a card number fails Luhn', () => {
  for (let i = 0; i < PAN.length; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) === PAN[i]) continue;
      const changed = PAN.slice(0, i) + d + PAN.slice(i + 1);
      assert.ok(!luhnValid(changed), changed);
    }
  }
  const pan = '4539578763621486';
  assert.ok(luhnValid(pan));
  for (let i = 0; i + 1 < pan.length; i++) {
    if (pan[i] === pan[i + 1]) continue;
    const pair = pan[i]! + pan[i + 1]!;
    if (pair === '09' || pair === '90') continue; // the one swap Luhn cannot see
    const swapped = pan.slice(0, i) + pan[i + 1] + pan[i] + pan.slice(i + 2);
    assert.ok(!luhnValid(swapped), swapped);
  }
});

test(
  'issue 11: card numbers that are not 12-19 digits, not digits, ' + 'all zeros or fail Luhn are CARD_NUMBER_INVALID',
  () => {
    for (const t of [
      '4111111111111112', // Luhn
      '4111 1111 1111 1111', // separators
      '4111-1111-1111-1111',
      '４１１１１１１１１１１１１１１１', // full-width digits
      withCheckDigit('1234567890'), // 11 digits
      withCheckDigit('1234567890123456789'), // 20 digits
      '000000000000',
      '-4111111111111111',
      '',
    ]) {
      assert.throws(
        () => CardNumber.parse(t),
        (e: unknown) =>
          e instanceof TenderError &&
          e.code === 'CARD_NUMBER_INVALID' &&
          (t === '' || !e.message.includes(t.replace(/\D/g, '').slice(4, 12) || 'x')),
        t,
      );
    }
  },
);

test('issue 11: maskPan shows first 6 and last 4, and only the last 4 when fewer than 6 would stay hidden', () => {
  assert.equal(maskPan('4111111111111111'), '411111******1111');
  assert.equal(maskPan('4000000000000000006'), '400000*********0006');
  assert.equal(maskPan('378282246310005'), '***********0005');
  assert.equal(maskPan('123456789012'), '********9012');
});

test('issue 11: the card number never appears in JSON.stringify, util.inspect, String or an Error message', () => {
  const card = CardNumber.parse(PAN);
  const holder = { toAccount: card, nested: { list: [card] } };
  const shown = [
    JSON.stringify(card),
    JSON.stringify(holder),
    inspect(card),
    inspect(holder, { depth: 10 }),
    String(card),
    `${card}`,
    new Error(`payout to ${card} failed`).message,
    new TenderError('INVALID_PARAM', `bad ${card}`).message,
    inspect(new TenderError('INVALID_PARAM', `bad ${card}`)),
  ];
  for (const s of shown) {
    assert.ok(!s.includes(PAN), s);
    assert.ok(s.includes('411111******1111'), s);
  }
  assert.equal(Object.keys(card).length, 0, 'no enumerable field holds the digits');
  assert.equal(card.reveal(), PAN);
});

const ASSETS = new AssetTable([
  { code: 'BRL', network: '', exponent: 2, kind: 'fiat', maxAmount: 500000000n },
  { code: 'USD', network: '', exponent: 2, kind: 'fiat', maxAmount: 100000000n },
]);

test('issue 11: a refused card payout request never repeats the card number in its error', () => {
  const base = {
    merchantTradeNo: 't1',
    userId: 'u1',
    createTime: '1700000000000',
    payoutChannel: '2',
    amount: '10.00',
    currency: 'USD',
    country: 'USA',
  };
  for (const toAccount of ['4111111111111112', '41111111111111111111', '4111 1111 1111 1111']) {
    try {
      parseFiatPayoutRequest({ ...base, toAccount }, ASSETS);
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof TenderError && e.code === 'CARD_NUMBER_INVALID');
      assert.ok(!e.message.includes(toAccount) && !e.message.includes('41111111'), e.message);
      assert.ok(!inspect(e).includes('41111111'));
    }
  }
});

function sink(): { stream: Writable; text(): string } {
  const lines: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
    text: () => lines.join(''),
  };
}

test('issue 11: the card number never appears in a pino log line of the parsed request or its parameters', () => {
  const out = sink();
  const log = createLogger({ logLevel: 'info' } as Config, out.stream).child(
    {},
    { serializers: { req: reqSerializer } },
  );
  const params = {
    merchantTradeNo: 't1',
    userId: 'u1',
    createTime: '1700000000000',
    payoutChannel: '2',
    amount: '10.00',
    currency: 'USD',
    country: 'USA',
    toAccount: PAN,
    accountCode: '001',
  };
  const request = parseFiatPayoutRequest(params, ASSETS);
  log.info({ request }, 'payout accepted');
  log.info({ params }, 'payout parameters');
  log.info({ req: { method: 'POST', url: `/openapi/v1/createFiatPayoutOrder?amount=10&toAccount=${PAN}&x=1` } });
  log.info({ account: request.account }, 'account');
  const text = out.text();
  assert.equal(text.trim().split('\n').length, 4);
  assert.ok(!text.includes(PAN), text);
  assert.match(text, /411111\*{6}1111/, 'the masked number is what the log shows');
  assert.match(text, /toAccount=\[REDACTED\]&x=1/);
});

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(() => env.close());

test("issue 11: a card number sent in the query string never reaches the server's request log", async () => {
  const out = sink();
  const log = createLogger({ logLevel: 'info' } as Config, out.stream);
  const app = await buildApp({ ...env.deps, log }, { adminToken: env.adminToken });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const q = `merchantId=1&payoutChannel=2&toAccount=${PAN}&cvv=123&cardNumber=${PAN}&sign=00`;
    for (const path of ['createFiatPayoutOrder', 'openapi/v1/createFiatPayoutOrder', 'createOrder'])
      await fetch(`${base}/openapi/v1/${path}?${q}`, { method: 'POST' });
    await fetch(`${base}/openapi/v1/createOrder`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: '1', toAccount: PAN, sign: '00' }),
    });
    const text = out.text();
    assert.match(text, /createFiatPayoutOrder\?merchantId=1&payoutChannel=2&toAccount=\[REDACTED\]/);
    assert.ok(!text.includes(PAN), 'the card number is in the log');
    assert.ok(!text.includes('cvv=123'));
  } finally {
    await app.close();
  }
});
