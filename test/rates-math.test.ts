// Issue 11 rates: the pure rate arithmetic (direction, spread, rounding in the house's favour), the pair
// lookup with its staleness limit, and the HTTP provider's and the file's parsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  exchangeFee,
  formatRate,
  parsePositiveDecimal,
  quoteRate,
  sourceForTarget,
  targetForSource,
  withSpread,
  invert,
} from '../src/domain/rates/rate-math.js';
import { lookupPair, type RatePoint } from '../src/domain/rates/pair.js';
import { parseTickerAnswer } from '../src/rails/rates/binance.js';
import { parseRatesFile } from '../src/rails/rates/file.js';
import { parseSources } from '../src/rails/rates/config.js';
import { projectPath } from '../src/paths.js';

const r = (t: string) => parsePositiveDecimal(t)!;
const now = new Date('2026-12-04T12:00:00Z');
const point = (base: string, quote: string, price: string, ageS = 0): RatePoint => ({
  base,
  quote,
  price: r(price),
  at: new Date(now.getTime() - ageS * 1000),
});

test('issue 11: rate direction is units of source per 1 target (USDT→BTC at 40000, spec M3)', () => {
  const found = lookupPair([point('BTC', 'USDT', '40000')], 'USDT', 'BTC', now, 60_000);
  assert.equal(found.kind, 'fresh');
  assert.ok(found.kind === 'fresh');
  assert.equal(formatRate(quoteRate(found.rate)), '40000.000000');
  // The other way round is the inverse, with enough decimals to keep 7 significant digits.
  const back = lookupPair([point('BTC', 'USDT', '40000')], 'BTC', 'USDT', now, 60_000);
  assert.ok(back.kind === 'fresh');
  assert.equal(formatRate(quoteRate(back.rate)), '0.00002500000');
});

test('issue 11: seed §8 example, USD→ETH at 2999.342: 100 USD buys 0.03334064604… ETH, rounded down', () => {
  const q = quoteRate(r('2999.342'));
  assert.equal(formatRate(q), '2999.342000');
  const eth = targetForSource(10000n, 2, q, 18);
  // 0.033340646048366608 ETH (the seed shows it cut at 11 decimals: "0.03334064604"); exact 0.03334064604836660840…
  assert.equal(eth, 33340646048366608n);
  // purchaseType 1: 0.5 ETH costs 1499.671 USD, rounded UP to the cent.
  assert.equal(sourceForTarget(5n * 10n ** 17n, 18, q, 2), 149968n);
});

test('issue 11: rounding favours the house by less than one minor unit (random cases)', () => {
  for (let i = 0; i < 500; i++) {
    const rnd = (bytes: number) => BigInt(`0x${randomBytes(bytes).toString('hex')}`) + 1n;
    const q = { units: rnd(5), scale: 6 };
    const [se, te] = [Number(rnd(1) % 19n), Number(rnd(1) % 19n)];
    const src = rnd(6);
    const tgt = targetForSource(src, se, q, te);
    // tgt·rate ≤ src < (tgt+1)·rate, compared exactly at a common scale.
    const cost = (t: bigint) => t * q.units * 10n ** BigInt(se);
    const have = src * 10n ** BigInt(te + q.scale);
    assert.ok(cost(tgt) <= have && have < cost(tgt + 1n), `purchaseType 0 case ${i}`);
    const need = sourceForTarget(tgt + 1n, te, q, se);
    const value = (s: bigint) => s * 10n ** BigInt(te + q.scale);
    assert.ok(value(need) >= cost(tgt + 1n) && value(need - 1n) < cost(tgt + 1n), `purchaseType 1 case ${i}`);
  }
});

test('issue 11: spread widens the rate in the house favour; the quoted rate is rounded up', () => {
  assert.equal(formatRate(quoteRate(withSpread(r('40000'), 100))), '40400.000000');
  assert.equal(formatRate(quoteRate(withSpread(r('40000'), 0))), '40000.000000');
  // 1/3 is 0.333333333…: quoted up to 0.3333334 (7 significant digits), never down.
  assert.equal(formatRate(quoteRate(invert(r('3')))), '0.3333334');
  assert.throws(() => withSpread(r('1'), -1));
});

test('issue 11: exchange fee rounds up to the minor unit, zero bps is zero', () => {
  assert.equal(exchangeFee(10_000_000n, 30), 30_000n);
  assert.equal(exchangeFee(1n, 30), 1n);
  assert.equal(exchangeFee(12345n, 0), 0n);
  assert.throws(() => exchangeFee(1n, 10001));
});

test('issue 11: stale prices are never used; cross rates go through a pivot and take the older time', () => {
  const pts = [point('BTC', 'USD', '40000', 30), point('USDT', 'USD', '1', 10)];
  const cross = lookupPair(pts, 'USDT', 'BTC', now, 60_000);
  assert.ok(cross.kind === 'fresh');
  assert.equal(formatRate(quoteRate(cross.rate)), '40000.000000');
  assert.equal(cross.at.getTime(), now.getTime() - 30_000);
  const stale = lookupPair(pts, 'USDT', 'BTC', now, 20_000);
  assert.equal(stale.kind, 'stale');
  assert.equal(lookupPair(pts, 'ETH', 'BTC', now, 60_000).kind, 'missing');
  // A fresh direct price wins over a stale one of the same pair.
  const both = lookupPair([point('BTC', 'USDT', '1', 999), point('BTC', 'USDT', '2', 1)], 'USDT', 'BTC', now, 60_000);
  assert.ok(both.kind === 'fresh');
  assert.equal(formatRate(quoteRate(both.rate)), '2.000000');
});

test('issue 11: prices are exact decimals; zero, signs, exponents and floats are refused', () => {
  assert.deepEqual(r('40000.000000'), { n: 40000n, d: 1n });
  for (const bad of ['0', '0.000', '-1', '1e5', '1.', '.5', ' 1', 'NaN', ''])
    assert.equal(parsePositiveDecimal(bad), undefined);
});

const known = new Set(['BTC', 'ETH', 'USDT', 'BNB', 'TRX', 'EUR', 'BRL', 'USD']);

test('issue 11: HTTP provider adapter parses a recorded Binance ticker answer', () => {
  const text = readFileSync(projectPath('test/fixtures/binance-ticker-price.json'), 'utf8');
  const pts = parseTickerAnswer(text, known, now);
  const find = (b: string, q: string) => pts.find((p) => p.base === b && p.quote === q);
  assert.deepEqual(find('BTC', 'USDT')?.price, r('97185.12'));
  assert.deepEqual(find('ETH', 'BTC')?.price, r('0.03712'));
  assert.deepEqual(find('USDT', 'BRL')?.price, r('6.081'));
  assert.ok(pts.every((p) => p.at === now));
  // Symbols of assets Tender does not hold (LTC, XRP, SOL, 1000SATS, USDC) are skipped.
  assert.equal(pts.length, 13);
  const usdtBtc = lookupPair(pts, 'USDT', 'BTC', now, 1000);
  assert.ok(usdtBtc.kind === 'fresh');
  assert.equal(formatRate(quoteRate(usdtBtc.rate)), '97185.120000');
});

test('issue 11: a malformed provider answer is an error, never a zero price', () => {
  for (const bad of [
    'not json',
    '{"symbol":"BTCUSDT","price":"1"}',
    '[{"symbol":"BTCUSDT","price":97185.12}]',
    '[{"symbol":"BTCUSDT","price":"0.00000000"}]',
    '[{"symbol":"BTCUSDT","price":"-5"}]',
    '[{"symbol":"XRPUSDT","price":"2.2"}]',
    '[]',
  ])
    assert.throws(() => parseTickerAnswer(bad, known, now), Error, bad);
});

test('issue 11: rates file: per-rate or file time required, prices as decimal strings', () => {
  const pts = parseRatesFile(
    JSON.stringify({
      updatedAt: '2026-12-04T11:00:00Z',
      rates: [
        { base: 'BTC', quote: 'USD', price: '40000.5' },
        { base: 'ETH', quote: 'USD', price: '3000', at: '2026-12-04T11:30:00Z' },
      ],
    }),
  );
  assert.equal(pts[0]!.at.toISOString(), '2026-12-04T11:00:00.000Z');
  assert.equal(pts[1]!.at.toISOString(), '2026-12-04T11:30:00.000Z');
  assert.throws(() => parseRatesFile(JSON.stringify({ rates: [{ base: 'BTC', quote: 'USD', price: '1' }] })));
  assert.throws(() => parseRatesFile(JSON.stringify({ updatedAt: 'x', rates: [] })));
  assert.throws(() =>
    parseRatesFile(JSON.stringify({ updatedAt: now.toISOString(), rates: [{ base: 'BTC', quote: 'USD', price: 1 }] })),
  );
});

test('issue 11: source order comes from TENDER_RATE_SOURCES; the sandbox gets its fixed rates by default', () => {
  assert.deepEqual(parseSources(undefined, 'sandbox'), ['sandbox']);
  assert.deepEqual(parseSources('', 'live'), ['operator', 'file', 'http']);
  assert.deepEqual(parseSources('http, operator', 'live'), ['http', 'operator']);
  assert.throws(() => parseSources('http,ftp', 'live'));
  assert.throws(() => parseSources('http,http', 'live'));
});
