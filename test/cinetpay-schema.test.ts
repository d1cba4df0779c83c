// Issue 10: the CinetPay dialect checks bodies with the schemas its contract publishes. The test reads the served
// /openapi/cinetpay.json, makes a violating value from each constraint it finds there (required, type,
// maxLength, pattern, minimum, maxProperties), confirms with ajv that the published schema refuses the body,
// and expects the server to refuse it with the code the field documents in `x-cinetpay`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startTestEnv, newMerchant, getJson, postJson, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { CP } from '../src/domain/cinetpay.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env, { brand: 'Schema CI' });
});
after(async () => {
  await env.close();
});

type Schema = {
  type?: string;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maxProperties?: number;
  description?: string;
  'x-cinetpay'?: keyof typeof CP;
};

let seq = 0;
const validInit = () => ({
  apikey: m.apikey,
  site_id: m.siteId,
  transaction_id: `SCHEMA-${Date.now()}-${++seq}`,
  amount: 100,
  currency: 'XOF',
  description: 'Billets',
  notify_url: 'https://shop.example/notify',
  return_url: 'https://shop.example/return',
});
const validCheck = () => ({ apikey: m.apikey, site_id: m.siteId, transaction_id: 'never-seen' });

/** The branches of a property: its anyOf members, or itself. */
const branches = (s: Schema): Schema[] => (s.anyOf ? s.anyOf.flatMap(branches) : [s]);

/** Values breaking one constraint of `prop` each, as the published schema states it. */
function violations(prop: Schema): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [
    ['type', { not: 'a value' }],
    ['type', true],
  ];
  for (const b of branches(prop)) {
    if (b.maxLength !== undefined) out.push([`maxLength ${b.maxLength}`, 'a'.repeat(b.maxLength + 1)]);
    if (b.pattern !== undefined) for (const s of ['zz', '#x', 'x@']) out.push([`pattern ${b.pattern}`, s]);
    if (b.minimum !== undefined) out.push([`minimum ${b.minimum}`, b.minimum - 5]);
    if (b.maxProperties !== undefined) {
      const keys = Array.from({ length: b.maxProperties + 1 }, (_, i) => [`k${i}`, 'v']);
      out.push([`maxProperties ${b.maxProperties}`, Object.fromEntries(keys)]);
    }
  }
  return out;
}

async function walk(route: string, schema: Schema, valid: () => Record<string, unknown>): Promise<number> {
  const refuses = new Ajv2020({ strict: false });
  const accepts = refuses.compile(schema);
  assert.ok(accepts(valid()), `${route}: the base body itself breaks the schema`);
  let walked = 0;
  for (const name of schema.required ?? []) {
    const body = valid();
    delete body[name];
    assert.ok(!accepts(body));
    const r = await postJson(`${env.url}${route}`, body);
    assert.deepEqual([r.status, r.body.code, r.body.message], [400, '608', 'MINIMUM_REQUIRED_FIELDS'], name);
    assert.match(r.body.description, new RegExp(`missing: ${name}$`));
    walked++;
  }
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    // `notify_url:` and the like are aliases: withAliases reads them as their field before any schema.
    if (name.endsWith(':')) continue;
    const refusal = CP[prop['x-cinetpay']!];
    assert.ok(refusal, `${route} ${name} documents no x-cinetpay refusal`);
    const seen = new Set<string>();
    for (const [constraint, value] of violations(prop)) {
      const body = { ...valid(), [name]: value };
      if (accepts(body) || seen.has(constraint)) continue;
      seen.add(constraint);
      const r = await postJson(`${env.url}${route}`, body);
      const what = `${route} ${name} (${constraint}): ${JSON.stringify(r.body)}`;
      assert.deepEqual([r.status, r.body.code, r.body.message], [refusal.http, refusal.code, refusal.message], what);
      assert.ok(r.body.description.startsWith(`${name} is not valid: `), what);
      walked++;
    }
  }
  return walked;
}

test('issue 10: the CinetPay dialect refuses what its published schema refuses (one source)', async () => {
  const doc = await getJson(`${env.url}/openapi/cinetpay.json`);
  assert.equal(doc.status, 200);
  const bodyOf = (path: string): Schema =>
    doc.body.paths[path].post.requestBody.content['application/json'].schema as Schema;
  const init = bodyOf('/v2/payment');
  const walkedInit = await walk('/v2/payment', init, validInit);
  const walkedCheck = await walk('/v2/payment/check', bodyOf('/v2/payment/check'), validCheck);
  // Every constraint kind was met at least once, and each field's own code was used.
  assert.ok(walkedInit >= 50, `only ${walkedInit} init violations walked`);
  assert.ok(walkedCheck >= 10, `only ${walkedCheck} check violations walked`);
  assert.equal(init.properties!.currency!['x-cinetpay'], 'ERROR_CURRENCY_NOTVALID');
  assert.equal(init.properties!.channels!['x-cinetpay'], 'ERROR_CHANNELS_NOTVALID');
  // The other direction, for values the schema allows that the old hand checks also allowed: any letter case,
  // blank and null optional fields, a form body (all strings).
  const r = await postJson(`${env.url}/v2/payment`, {
    ...validInit(),
    currency: 'xof',
    lang: 'EN',
    channels: 'mobile_money, wallet',
    customer_email: null,
    invoice_data: '',
    lock_phone_number: 'False',
  });
  assert.equal(r.body.code, '201', JSON.stringify(r.body));
  const form = await fetch(`${env.url}/v2/payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...validInit(), amount: '105', site_id: String(m.siteId) } as Record<string, string>),
  });
  assert.equal(((await form.json()) as { code: string }).code, '201');
});
