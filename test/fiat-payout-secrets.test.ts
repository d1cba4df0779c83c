// Issue 11 (spec M2, PCI DSS / LGPD): the card number and the Pix key of a fiat payout never appear in a log line
// (every level, captured from the real logger configuration), in an answer, in a webhook, or in clear in any
// database table: they are sealed with the master key, and the idempotency digest uses a keyed HMAC.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  getJson,
  newMerchant,
  postForm,
  postJson,
  signed,
  startTestEnv,
  until,
  webhookReceiver,
  type TestEnv,
} from './harness.js';
import { fiatParams, fundFiat } from './fiat-payout-helpers.js';
import { sandboxSettle } from './sandbox-settle.js';
import { brokenInvariants } from './invariants.js';
import { REDACT } from '../src/runtime.js';
import { startFiatPayoutSender } from '../src/workers/fiat-payout-sender.js';
import { startWebhookDispatcher, type Dispatcher } from '../src/workers/webhook-dispatcher.js';
import { SETTLE_MS } from '../src/rails/fiat-payout/sandbox-engine.js';
import { ACCOUNT_MAC_PURPOSE } from '../src/core/fiat-payout.js';
import { createHash } from 'node:crypto';

const PAN = '5555555555554444';
const BAD_PAN = '5555555555554445';
const KEYS = [
  { accountType: '1', toAccount: '529.982.247-25', forms: ['52998224725', '529.982.247-25'] },
  { accountType: '2', toAccount: 'Maria.Silva@Example.com.br', forms: ['maria.silva@example.com.br', 'Maria.Silva'] },
  { accountType: '3', toAccount: '+5511987654321', forms: ['+5511987654321', '11987654321', '987654321'] },
  { accountType: '4', toAccount: '123e4567-e89b-42d3-a456-426614174000', forms: ['123e4567-e89b-42d3-a456'] },
];
const SECRETS = [PAN, BAD_PAN, '52998224726', ...KEYS.flatMap((k) => k.forms)];

let env: TestEnv;
let dbUrl: string;
let sender: { stop(): Promise<void> };
let dispatcher: Dispatcher;
let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
let logText = '';
const answers: string[] = [];

before(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  // The production logger's configuration (redaction paths) at the most verbose level.
  const log = pino({ level: 'trace', redact: { paths: REDACT, censor: '[REDACTED]' } }, sink);
  env = await startTestEnv({ TENDER_PAYOUT_FEES: 'BRL:PIX=0.5+0' }, { log });
  dbUrl = (env.deps.db as unknown as { options: { connectionString: string } }).options.connectionString;
  hooks = await webhookReceiver([
    { status: 500, body: 'no' },
    { status: 200, body: 'OK' },
  ]);
  sender = startFiatPayoutSender(env.deps, { pollMs: 50 });
  dispatcher = startWebhookDispatcher(env.deps, { pollMs: 50 });
});
after(async () => {
  await sender.stop();
  await dispatcher.stop();
  await hooks.close();
  assert.deepEqual(await brokenInvariants(dbUrl, [], 3600), {});
  await env.close();
});

const keep = <T extends { body: unknown }>(r: T): T => {
  answers.push(JSON.stringify(r.body));
  return r;
};

test(
  'issue 11: card numbers and Pix keys never reach a log line, an answer, a webhook or a ' + 'table in clear',
  async () => {
    const ids: string[] = [];
    for (const format of ['cpay', 'cpay-legacy'] as const) {
      const m = await newMerchant(env, { webhookFormat: format, callbackUrl: hooks.url });
      await fundFiat(env, m, 'BRL', '1000');
      const url = `${env.url}/openapi/v1/createFiatPayoutOrder`;
      const all = [
        ...KEYS.map((k) => ({ accountType: k.accountType, toAccount: k.toAccount })),
        { payoutChannel: '2', toAccount: PAN },
      ];
      for (const [i, fields] of all.entries()) {
        const p = signed(fiatParams(m, fields), m.securityKey);
        // Form body, JSON body and query string alike.
        const r =
          i % 3 === 0
            ? await postForm(url, p)
            : i % 3 === 1
              ? await postJson(url, p)
              : await postForm(`${url}?${new URLSearchParams(p)}`, {});
        keep(r);
        assert.equal(r.body.code, 0, JSON.stringify(r.body));
        ids.push(r.body.data.orderId);
        // The identical retry and a conflicting one.
        keep(await postForm(url, p));
        keep(
          await postForm(
            url,
            signed({ ...fiatParams(m, fields), merchantTradeNo: p.merchantTradeNo!, amount: '3' }, m.securityKey),
          ),
        );
      }
      // Refused accounts: neither the refusal nor the log repeats them.
      const refused: Record<string, string>[] = [
        { toAccount: '52998224726' },
        { payoutChannel: '2', toAccount: BAD_PAN },
        { payoutChannel: '2', toAccount: `${PAN}0000` },
      ];
      for (const fields of refused) {
        const r = keep(await postForm(url, signed(fiatParams(m, fields), m.securityKey)));
        assert.notEqual(r.body.code, 0);
        const q = keep(
          await postForm(`${url}?${new URLSearchParams(signed(fiatParams(m, fields), m.securityKey))}`, {}),
        );
        assert.notEqual(q.body.code, 0);
      }
      env.clock.advance(SETTLE_MS / 1000 + 1);
      for (const id of ids) {
        await until('final', async () => {
          const s = (await env.deps.db.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status;
          return s === 14 || s === 15;
        });
        keep(
          await getJson(
            `${env.url}/openapi/v1/getOrderDetail`,
            signed({ merchantId: String(m.merchantId), cpayOrderId: id }, m.securityKey),
          ),
        );
        keep(await sandboxSettle(env, id, 'complete'));
      }
      keep(
        await getJson(
          `${env.url}/openapi/v1/getMerchantBalance`,
          signed({ merchantId: String(m.merchantId) }, m.securityKey),
        ),
      );
    }
    keep(await getJson(`${env.url}/admin/payouts`, undefined).catch(() => ({ body: '' })));
    const admin = await fetch(`${env.url}/admin/merchants`, { headers: { authorization: `Bearer ${env.adminToken}` } });
    answers.push(await admin.text());
    await until('every webhook (after a retry)', async () => hooks.calls.length >= 5 + 10 + 1);
    // cpay: 14 for each of 5; cpay-legacy: 11 and 14 for each of 5; one retry after the first 500.

    const webhookText = hooks.calls.map((c) => c.body).join('\n');
    const { rows } = await env.deps.db.query<{ t: string }>(
      `SELECT string_agg(format('%s: %s', c.relname, c.dump), E'\\n') AS t FROM (
       SELECT c.relname,
         (xpath('/row', query_to_xml(format('SELECT * FROM %I', c.relname), true, false, '')))::text AS dump
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r') c`,
    );
    const dbText = rows[0]!.t;
    assert.ok(logText.includes('fiat payout accepted'), 'the log was captured');
    assert.ok(logText.includes('createFiatPayoutOrder'), 'request lines were captured');
    assert.ok(dbText.includes('fiat_payout_accounts'), 'the tables were dumped');
    for (const s of SECRETS) {
      for (const [where, text] of [
        ['log', logText],
        ['answers', answers.join('\n')],
        ['webhooks', webhookText],
        ['database', dbText],
      ] as const)
        assert.ok(!text.toLowerCase().includes(s.toLowerCase()), `${s} appears in the ${where}`);
    }
    // The digest that makes a retry "the same request" holds a keyed HMAC of the account, not a plain hash.
    const plain = createHash('sha256').update('52998224725').digest('hex');
    assert.ok(!dbText.includes(plain));
    assert.ok(
      !dbText.includes(env.deps.box.mac(ACCOUNT_MAC_PURPOSE, '52998224725')),
      'not even the MAC is stored bare',
    );
  },
);
