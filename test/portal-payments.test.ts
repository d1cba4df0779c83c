// Issue 12, merchant portal Payments and Balances over real HTTP on a real PostgreSQL: the merchant's orders of
// every dialect and kind, filters, keyset pages, the order page (history, ledger, webhook attempts), resend with
// CSRF, the streamed CSV export, balances with their journal and daily series, and the query plans that keep a
// page cheap at any size. Sessions are test-only (test/portal-payments-kit.ts) until the portal's login lands.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, webhookReceiver, until, type TestEnv } from './harness.js';
import { fundMerchant, withdraw } from './payout-helpers.js';
import {
  cinetpayOrder,
  get,
  idsOnPage,
  linkOf,
  minimalOrder,
  openapiOrder,
  postPage,
  startPortal,
  tradeNo,
  type Portal,
} from './portal-payments-kit.js';
import { completeOrder, closeOrder, markProcessing } from '../src/core/payments.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { csvCell } from '../src/core/portal-payments-csv.js';
import { listMerchantOrders } from '../src/store/portal-orders-repo.js';

let env: TestEnv;
let portal: Portal;
let dispatcher: Dispatcher;

before(async () => {
  env = await startTestEnv({ TENDER_PAYOUT_FEES: 'USDT:TRON=1+0' });
  portal = await startPortal(env);
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await dispatcher.stop();
  await portal.close();
  assert.deepEqual(portal.violations(), [], 'every answer is in the pages contract');
  await env.close();
});

const list = (m: { cookie: string }, q: Record<string, string> = {}) =>
  get(`${portal.url}/payments?${new URLSearchParams(q)}`, m.cookie);

test(
  'issue 12: the list shows every dialect and kind of the merchant, newest first, and no other ' + 'merchant',
  async () => {
    const m = await newMerchant(env);
    const other = await newMerchant(env);
    await fundMerchant(env, m, 'USDT', '100');
    const a = await openapiOrder(env, m);
    const b = await minimalOrder(env, m);
    const c = await cinetpayOrder(env, m);
    const w = await withdraw(env, m, { totalAmount: '10', receivedAmount: '9' });
    assert.equal(w.body.code, 0, JSON.stringify(w.body));
    const payout = w.body.data.orderId as string;
    const foreign = await openapiOrder(env, other);

    const s = portal.login(m);
    const page = await list(s);
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    const ids = idsOnPage(page.text);
    assert.deepEqual(ids.slice(0, 4), [payout, c, b, a], 'newest first');
    assert.equal(ids.length, 5, 'the funding pay-in too');
    assert.ok(!ids.includes(foreign));
    for (const t of ['Pay-in', 'Crypto payout', 'openapi', 'minimal', 'cinetpay', '10 USDT', '9'])
      assert.ok(page.text.includes(t), t);
    // The pages' policy: no script, no inline style.
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'none'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(page.text, /style=|<script/);

    // The other merchant's order is not found through any door: page, resend, filters.
    const so = portal.login(other);
    assert.equal((await get(`${portal.url}/payments/${foreign}`, so.cookie)).status, 200);
    const tampered = await get(`${portal.url}/payments/${foreign}`, s.cookie);
    assert.equal(tampered.status, 404);
    assert.ok(!tampered.text.includes(other.securityKey));
    const resend = await postPage(`${portal.url}/payments/${foreign}/resend`, { _csrf: s.csrf }, s.cookie);
    assert.equal(resend.status, 404);
    assert.deepEqual(idsOnPage((await list(s, { orderId: foreign })).text), []);
    const { rows } = await env.deps.db.query('SELECT merchant_trade_no FROM orders WHERE id = $1', [foreign]);
    assert.deepEqual(idsOnPage((await list(s, { merchantTradeNo: rows[0].merchant_trade_no })).text), []);
  },
);

test(
  'issue 12: filters by status, kind, currency, date range, merchantTradeNo, order id, tx hash ' + 'and amount',
  async () => {
    const m = await newMerchant(env);
    const s = portal.login(m);
    // Three days ago: an order for the date range.
    env.clock.advance(-3 * 86400);
    const old = await openapiOrder(env, m, { amount: '3.3' });
    env.clock.advance(3 * 86400);
    const paidNo = tradeNo('paid');
    const paid = await openapiOrder(env, m, { merchantTradeNo: paidNo, amount: '20' });
    const hash = `0xAbC${'0'.repeat(60)}1`;
    await completeOrder(env.deps, paid, { rail: 'sandbox', hash, network: 'TRON(TRC-20)' });
    const processing = await openapiOrder(env, m, { amount: '20' });
    await markProcessing(env.deps, processing, { rail: 'sandbox' });
    const closed = await openapiOrder(env, m, { amount: '5', cryptoCurrency: 'BTC' });
    await closeOrder(env.deps, closed, 'rejected', 'test');
    const fiat = await minimalOrder(env, m, 20);

    const ids = async (q: Record<string, string>) => {
      const r = await list(s, q);
      assert.equal(r.status, 200, `${JSON.stringify(q)}: ${r.text.slice(0, 300)}`);
      return idsOnPage(r.text).sort();
    };
    const sorted = (...x: string[]) => x.sort();
    assert.deepEqual(await ids({ status: '14' }), [paid]);
    assert.deepEqual(await ids({ status: 'processing' }), [processing]);
    assert.deepEqual(await ids({ status: '15' }), [closed]);
    assert.deepEqual(await ids({ status: '0' }), sorted(old, fiat));
    assert.deepEqual(await ids({ kind: 'payout' }), []);
    assert.deepEqual(await ids({ currency: 'btc' }), [closed]);
    const day = (offset: number) => new Date(env.clock.now().getTime() + offset * 86400_000).toISOString().slice(0, 10);
    assert.deepEqual(await ids({ from: day(-3), to: day(-3) }), [old]);
    assert.deepEqual(await ids({ from: day(-1) }), sorted(paid, processing, closed, fiat));
    assert.deepEqual(await ids({ to: day(-2) }), [old]);
    assert.deepEqual(await ids({ merchantTradeNo: paidNo }), [paid]);
    assert.deepEqual(await ids({ orderId: processing }), [processing]);
    assert.deepEqual(await ids({ hash }), [paid]);
    assert.deepEqual(await ids({ hash: hash.toLowerCase() }), [], 'stored as the rail gave it; lower case is tried');
    assert.deepEqual(await ids({ hash: hash.toUpperCase() }), []);
    // 20 USDT (two orders) and 20 USD (the minimal one): the amount matches every currency it fits...
    assert.deepEqual(await ids({ amount: '20' }), sorted(paid, processing, fiat));
    assert.deepEqual(await ids({ amount: '20.00' }), sorted(paid, processing, fiat));
    // ...or one currency, and combines with other filters.
    assert.deepEqual(await ids({ amount: '20', currency: 'USDT' }), sorted(paid, processing));
    assert.deepEqual(await ids({ amount: '20', currency: 'USDT', status: '11' }), [processing]);
    assert.deepEqual(await ids({ amount: '3.3' }), [old]);
    // The form shows the filters back, escaped.
    const r = await list(s, { merchantTradeNo: '"><b>x' });
    assert.ok(r.text.includes('value="&quot;&gt;&lt;b&gt;x"'));
    assert.match(r.text, /No order matches these filters/);
  },
);

test('issue 12: keyset pages walk forward and back without repeats or gaps, even while orders arrive', async () => {
  const m = await newMerchant(env);
  const s = portal.login(m);
  const made: string[] = [];
  for (let i = 0; i < 7; i++) made.push(await openapiOrder(env, m));
  const newestFirst = [...made].reverse();

  const p1 = await list(s, { size: '3' });
  assert.deepEqual(idsOnPage(p1.text), newestFirst.slice(0, 3));
  assert.equal(linkOf(p1.text, 'prev'), undefined, 'the first page has no newer page');
  // An order arriving between pages lands on page one, not in the middle of the walk.
  const late = await openapiOrder(env, m);
  const p2 = await get(`${portal.url}${linkOf(p1.text, 'next')!}`, s.cookie);
  assert.deepEqual(idsOnPage(p2.text), newestFirst.slice(3, 6));
  const p3 = await get(`${portal.url}${linkOf(p2.text, 'next')!}`, s.cookie);
  assert.deepEqual(idsOnPage(p3.text), newestFirst.slice(6));
  assert.equal(linkOf(p3.text, 'next'), undefined, 'the last page has no older page');
  // Back: page two again, then page one with the late order's neighbour.
  const back2 = await get(`${portal.url}${linkOf(p3.text, 'prev')!}`, s.cookie);
  assert.deepEqual(idsOnPage(back2.text), newestFirst.slice(3, 6));
  const back1 = await get(`${portal.url}${linkOf(back2.text, 'prev')!}`, s.cookie);
  assert.deepEqual(idsOnPage(back1.text), newestFirst.slice(0, 3));
  const back0 = await get(`${portal.url}${linkOf(back1.text, 'prev')!}`, s.cookie);
  assert.deepEqual(idsOnPage(back0.text), [late]);
  assert.equal(linkOf(back0.text, 'prev'), undefined);
  // Filters travel with the page links.
  const f1 = await list(s, { size: '2', currency: 'USDT', status: '0' });
  assert.match(linkOf(f1.text, 'next')!, /currency=USDT&status=0|status=0.*currency=USDT/);

  // Orders created in the same microsecond still page exactly once each (the id breaks the tie).
  const at = new Date('2026-01-01T00:00:00.000Z');
  await env.deps.db.query(
    `INSERT INTO orders (id, merchant_id, merchant_trade_no, dialect, request_digest, currency, amount, amount_text,
       pay_code, watch_code, expires_at, created_at, updated_at)
     SELECT 'tie' || g, $1::bigint, 'tie-' || g, 'openapi', 'x', 'USDT', 1, '1', 'tp' || g || $2, 'tw' || g || $2,
       $3::timestamptz, $3::timestamptz, $3::timestamptz
     FROM generate_series(1, 5) g`,
    [m.merchantId, tradeNo(), at],
  );
  const seen: string[] = [];
  let after: { at: string; id: string } | undefined;
  for (;;) {
    const rows = await listMerchantOrders(env.deps.db, {
      merchantId: String(m.merchantId),
      until: new Date(at.getTime() + 1),
      limit: 2,
      ...(after ? { after } : {}),
    });
    seen.push(...rows.map((r) => r.id));
    if (rows.length < 2) break;
    after = { at: rows[1]!.at_key, id: rows[1]!.id };
  }
  assert.deepEqual(seen, ['tie5', 'tie4', 'tie3', 'tie2', 'tie1']);
});

test('issue 12: bad filters and page positions answer a 400 page naming the problem, never a 5xx', async () => {
  const m = await newMerchant(env);
  const s = portal.login(m);
  const cases: [string, RegExp][] = [
    ['status=3', /status must be one of/],
    ['status=14&status=15', /status must be given once/],
    ['kind=refund', /kind must be/],
    ['currency=DOGE', /not supported/],
    ['from=2024-02-31', /from must be a date/],
    ['from=yesterday', /from must be a date/],
    ['from=2024-03-02&to=2024-03-01', /from must not be after to/],
    ['amount=-5', /amount must be a plain decimal/],
    ['amount=1e3', /amount must be a plain decimal/],
    ['amount=0.0000000000000000001', /amount must be a plain decimal/],
    ['amount=0.001&currency=USD', /decimals/],
    ['size=0', /size must be between/],
    ['size=5000', /size must be between/],
    ['after=not-a-cursor!', /not a page position/],
    [`after=${Buffer.from('2024|1').toString('base64url')}`, /not a page position/],
    [`after=${'A'.repeat(2000)}`, /after is too long/],
    ['after=x&before=y', /not a page position|cannot both/],
    [`merchantTradeNo=${'x'.repeat(300)}`, /too long/],
  ];
  // The export has no pages (it is every matching order): it ignores size, after and before.
  const paging = /^(size|after|before)=/;
  for (const [q, why] of cases) {
    for (const path of paging.test(q) ? ['/payments'] : ['/payments', '/payments.csv']) {
      const r = await get(`${portal.url}${path}?${q}`, s.cookie);
      assert.equal(r.status, 400, `${path}?${q}`);
      assert.match(r.type, /^text\/html/);
      assert.match(r.text, why, `${path}?${q}`);
    }
  }
  for (const q of ['currency=ZZZ', 'days=12', 'days=abc', 'currency=USDT&after=1.x']) {
    const r = await get(`${portal.url}/balances?${q}`, s.cookie);
    assert.equal(r.status, 400, q);
  }
  const long = await get(`${portal.url}/payments/${'9'.repeat(500)}`, s.cookie);
  assert.equal(long.status, 404);
  // No session: the login page, and nothing of the list.
  const anon = await get(`${portal.url}/payments?status=14`);
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.get('location'), `/login?next=${encodeURIComponent('/payments?status=14')}`);
  assert.equal((await get(`${portal.url}/payments.csv`)).status, 303);
  assert.equal((await get(`${portal.url}/balances`)).status, 303);
});

test(
  'issue 12: the order page shows status history, ledger entries and every webhook attempt; ' + 'resend with CSRF',
  async () => {
    const flaky = await webhookReceiver([
      { status: 500, body: 'down for maintenance' },
      { status: 200, body: 'OK' },
    ]);
    try {
      const m = await newMerchant(env, { callbackUrl: flaky.url, feeBps: 100 });
      const s = portal.login(m);
      const id = await openapiOrder(env, m, { amount: '50' });
      await markProcessing(env.deps, id, { rail: 'sandbox' });
      await completeOrder(env.deps, id, { rail: 'sandbox', hash: '0xfeed' });
      await flaky.waitFor(2);
      await until('both attempts recorded', async () => {
        const { rows } = await env.deps.db.query(
          `SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
         WHERE d.order_id = $1`,
          [id],
        );
        return rows[0].n >= 2;
      });
      const r = await get(`${portal.url}/payments/${id}`, s.cookie);
      assert.equal(r.status, 200);
      const t = r.text;
      // History: created → processing → completed.
      assert.match(t, /created[\s\S]*payment seen[\s\S]*payment confirmed/);
      // Ledger: the payment entry, 50 gross = 49.5 to the merchant + 0.5 fee.
      assert.match(t, /order_payment/);
      assert.ok(t.includes(`merchant:${m.merchantId}:available:USDT</td><td class="num">49.5 USDT`));
      assert.ok(t.includes('platform:fee_revenue:USDT</td><td class="num">0.5 USDT'));
      assert.ok(t.includes('-50 USDT'));
      // Webhook: the exact request (signed form body) and both answers with timing.
      assert.ok(t.includes(`POST ${flaky.url}`));
      const sent = flaky.calls[0]!.body;
      assert.ok(t.includes(sent.replace(/&/g, '&amp;')), 'the request body as the receiver got it');
      assert.ok(t.includes('down for maintenance'));
      assert.match(t, /<td>500<\/td>[\s\S]*failed[\s\S]*<td>200<\/td>[\s\S]*acknowledged/);
      assert.match(t, /\d+ ms/);
      assert.ok(!t.includes(m.securityKey), 'the key signs the request but is never shown');

      // Resend: refused without the session's token, with another token, from another site, without a session.
      const url = `${portal.url}/payments/${id}/resend`;
      assert.equal((await postPage(url, {}, s.cookie)).status, 403);
      assert.equal((await postPage(url, { _csrf: `${s.csrf}x` }, s.cookie)).status, 403);
      assert.equal((await postPage(url, { _csrf: portal.login(m).csrf }, s.cookie)).status, 403);
      const evil = await postPage(url, { _csrf: s.csrf }, s.cookie, { origin: 'https://evil.example' });
      assert.equal(evil.status, 403);
      assert.equal((await postPage(url, { _csrf: s.csrf })).status, 403);
      assert.equal(flaky.calls.length, 2, 'nothing was resent by a refused request');
      const ok = await postPage(url, { _csrf: s.csrf }, s.cookie, { origin: portal.url });
      assert.equal(ok.status, 303);
      assert.equal(ok.location, `/payments/${id}?resent=1`);
      await flaky.waitFor(3);
      const again = await get(`${portal.url}${ok.location}`, s.cookie);
      assert.match(again.text, /The webhook was queued again/);
      assert.match(again.text, /Webhook 2: status 14/);
      // A burst of resends (double clicks, two tabs) each queue one delivery; none fails or is lost.
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => postPage(url, { _csrf: s.csrf }, s.cookie, { origin: portal.url })),
      );
      assert.deepEqual(
        burst.map((b) => b.status),
        [303, 303, 303, 303, 303],
      );
      const { rows } = await env.deps.db.query(
        'SELECT count(*)::int AS n FROM webhook_deliveries WHERE order_id = $1',
        [id],
      );
      assert.equal(rows[0].n, 1 + 1 + 5);
      await flaky.waitFor(3 + 5);
    } finally {
      await flaky.close();
    }
  },
);

test(
  'issue 12: CSV export streams every matching order with decimal amounts, safe from formula ' + 'injection',
  async () => {
    const m = await newMerchant(env);
    const s = portal.login(m);
    const evil = '=HYPERLINK("http://evil.example","x")';
    const cp = await cinetpayOrder(env, m, evil);
    const a = await openapiOrder(env, m, { amount: '0.00000001' });
    // 2,500 more orders (straight into the table: the export's batches, not the API, are under test).
    await env.deps.db.query(
      `INSERT INTO orders (id, merchant_id, merchant_trade_no, dialect, request_digest, currency, amount, amount_text,
       status, pay_code, watch_code, expires_at, created_at, updated_at)
     SELECT 'bulk' || g, $1::bigint, 'bulk-' || g, 'openapi', 'x', 'USD', g * 100 + 1, 'x', 14, 'bp' || g || $1::text,
       'bw' || g || $1::text, $2::timestamptz, $2::timestamptz - g * interval '1 second', $2::timestamptz
     FROM generate_series(1, 2500) g`,
      [m.merchantId, new Date('2026-01-01T00:00:00Z')],
    );
    await env.deps.db.query(
      `INSERT INTO orders (id, merchant_id, merchant_trade_no, dialect, request_digest, currency, amount, amount_text,
       pay_code, watch_code, expires_at, created_at, updated_at)
     VALUES ('evil1', $1, $2, 'openapi', 'x', 'USD', 1, '0.01', 'evp', 'evw', $3, $3, $3)`,
      [m.merchantId, evil, new Date('2025-12-01T00:00:00Z')],
    );
    const res = await fetch(`${portal.url}/payments.csv`, { headers: { cookie: s.cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    assert.match(
      res.headers.get('content-disposition')!,
      /^attachment; filename="payments-\d+-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    assert.equal(res.headers.get('content-length'), null, 'streamed, not built whole');
    const text = await res.text();
    const lines = text.split('\r\n').filter(Boolean);
    assert.equal(
      lines[0],
      'order_id,kind,dialect,merchant_trade_no,status,status_text,currency,amount,fee,' +
        'received_amount,paid_amount,network,tx_hash,created_at,completed_at',
    );
    assert.equal(lines.length, 1 + 3 + 2500);
    assert.equal(new Set(lines.map((l) => l.split(',')[0])).size, lines.length, 'no order twice across batches');
    assert.ok(lines.includes(`bulk7,payin,openapi,bulk-7,14,Completed,USD,7.01,,,,,,2025-12-31T23:59:53.000Z,`));
    assert.ok(lines.some((l) => l.startsWith(`${a},payin,openapi,`) && l.includes(',USDT,0.00000001,')));
    // CinetPay's transaction_id is inside the merchantTradeNo: quoted because of its quotes and comma.
    const quoted = `"cp:${m.siteId}:=HYPERLINK(""http://evil.example"",""x"")"`;
    assert.ok(lines.some((l) => l.startsWith(`${cp},`) && l.includes(quoted)));
    // A cell that starts like a formula is text: apostrophe first, then quoted.
    assert.ok(
      lines.includes(
        `evil1,payin,openapi,"'${evil.replace(/"/g, '""')}",0,Pending,USD,0.01,,,,,,2025-12-01T00:00:00.000Z,`,
      ),
    );
    // Filters apply to the export too.
    const only = await (
      await fetch(`${portal.url}/payments.csv?currency=USD&amount=7.01`, { headers: { cookie: s.cookie } })
    ).text();
    assert.deepEqual(
      only
        .split('\r\n')
        .filter(Boolean)
        .slice(1)
        .map((l) => l.split(',')[0]),
      ['bulk7'],
    );
    for (const [v, want] of [
      ['+1', "'+1"],
      ['-1', "'-1"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tx', "'\tx"],
      ['a"b', '"a""b"'],
      ['plain', 'plain'],
      [null, ''],
    ] as const)
      assert.equal(csvCell(v), want);
  },
);

test(
  'issue 12: balances per currency from the ledger, the journal behind them in pages, and a daily ' + 'series',
  async () => {
    const m = await newMerchant(env);
    const s = portal.login(m);
    const none = await get(`${portal.url}/balances`, s.cookie);
    assert.equal(none.status, 200);
    assert.match(none.text, /No balance yet/);
    for (let i = 0; i < 3; i++) await fundMerchant(env, m, 'USDT', '40');
    const w = await withdraw(env, m, { totalAmount: '15', receivedAmount: '14' });
    assert.equal(w.body.code, 0, JSON.stringify(w.body));
    const r = await get(`${portal.url}/balances?currency=USDT&days=7`, s.cookie);
    assert.equal(r.status, 200);
    // 120 in, 15 frozen for the payout: 105 available, 15 frozen, 120 in total.
    assert.match(r.text, /<td>USDT<\/td><td class="num">105<\/td>\s*<td class="num">15<\/td><td class="num">120<\/td>/);
    // The chart: an SVG with a title, bars and a line, and its table alternative ending at today's balance.
    assert.match(r.text, /<svg [^>]*role="img"/);
    assert.match(r.text, /<rect class="bar"/);
    assert.match(r.text, /<polyline class="balance"/);
    const today = env.clock.now().toISOString().slice(0, 10);
    assert.ok(r.text.includes(`<tr><td>${today}</td><td class="num">120</td><td class="num">120</td></tr>`));
    // Journal: 3 credits, the hold (−15 available, +15 frozen); with a page of 2 it pages by cursor.
    const { balanceJournal } = await import('../src/core/portal-payments-balances.js');
    const p1 = await balanceJournal(env.deps, String(m.merchantId), 'USDT', undefined, 2);
    const p2 = await balanceJournal(env.deps, String(m.merchantId), 'USDT', p1.next, 2);
    const p3 = await balanceJournal(env.deps, String(m.merchantId), 'USDT', p2.next, 2);
    const all = [...p1.lines, ...p2.lines, ...p3.lines];
    assert.equal(p3.next, undefined);
    assert.deepEqual(
      all.map((l) => `${l.account} ${l.amount}`).sort(),
      ['available -15', 'available 40', 'available 40', 'available 40', 'frozen 15'].sort(),
    );
    assert.equal(all[0]!.kind, 'payout_freeze');
    // Another merchant sees none of it.
    const o = portal.login(await newMerchant(env));
    assert.match((await get(`${portal.url}/balances`, o.cookie)).text, /No balance yet/);
    const foreign = await balanceJournal(env.deps, String((await newMerchant(env)).merchantId), 'USDT', undefined);
    assert.deepEqual(foreign.lines, []);
  },
);

test('issue 12: list queries walk the 017 indexes and stop after a page (no sort, no sequential scan)', async () => {
  const m = await newMerchant(env);
  await env.deps.db.query(
    `INSERT INTO orders (id, merchant_id, merchant_trade_no, dialect, request_digest, currency, amount, amount_text,
       status, hash, pay_code, watch_code, expires_at, created_at, updated_at)
     SELECT 'plan' || g, $1::bigint, 'plan-' || g, 'openapi', 'x', 'USD', (g % 500) + 1, 'x',
       (ARRAY[0,11,14,15])[g % 4 + 1], 'h' || g, 'pp' || g, 'pw' || g, $2::timestamptz,
       $2::timestamptz - g * interval '1 minute', $2::timestamptz
     FROM generate_series(1, 30000) g`,
    [m.merchantId, new Date('2026-01-01T00:00:00Z')],
  );
  await env.deps.db.query('ANALYZE orders');
  const plan = async (q: Record<string, unknown>) => {
    const captured: string[] = [];
    const spy = {
      query: async (sql: string, params: unknown[]) => {
        const r = await env.deps.db.query(`EXPLAIN ${sql}`, params);
        captured.push(r.rows.map((x: { 'QUERY PLAN': string }) => x['QUERY PLAN']).join('\n'));
        return { rows: [] };
      },
    };
    await listMerchantOrders(spy as never, { merchantId: String(m.merchantId), limit: 51, ...q });
    return captured[0]!;
  };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['first page', {}, /orders_merchant_created/],
    ['deep page', { after: { at: '2025-12-20T00:00:00.000000', id: 'plan999' } }, /orders_merchant_created/],
    ['status', { status: 14 }, /orders_merchant_status_created/],
    ['date range', { from: new Date('2025-12-25'), until: new Date('2025-12-26') }, /orders_merchant_created/],
    ['merchantTradeNo', { merchantTradeNo: 'plan-77' }, /orders_merchant_trade_no_kind/],
    ['order id', { orderId: 'plan77' }, /orders_pkey/],
    ['hash', { hash: 'h77' }, /orders_hash/],
    ['amount', { amounts: [{ currency: 'USD', minor: 77n }] }, /orders_merchant_amount/],
  ];
  for (const [what, q, index] of cases) {
    const p = await plan(q);
    assert.match(p, index, `${what}:\n${p}`);
    assert.doesNotMatch(p, /Seq Scan on orders/, `${what}:\n${p}`);
    // Walks stop after a page in index order; lookups (a few rows at most) may sort what they found.
    if (['first page', 'deep page', 'status', 'date range'].includes(what))
      assert.doesNotMatch(p, /\bSort\b/, `${what}:\n${p}`);
  }
});
