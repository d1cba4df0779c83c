// Issue 10: the OpenAPI 3.1 contract of every dialect, served and held to every answer the suite receives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startTestEnv, newMerchant, signed, postForm, getJson, postJson, type TestEnv } from './harness.js';
import { answerProblems } from './contract-check.js';
import { sandboxSettle } from './sandbox-settle.js';
import { buildApp, type ObservedAnswer } from '../src/app.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { CONTRACTS } from '../src/api/contract/index.js';
import { dialectMarkdown } from '../src/api/contract/markdown.js';
import { OPENAPI_CODES } from '../src/api/openapi/error-codes.js';
import { projectPath } from '../src/paths.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv();
  m = await newMerchant(env);
});
after(async () => {
  await env.close();
});

const createOrder = (tradeNo: string) =>
  postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed(
      {
        merchantId: String(m.merchantId),
        merchantTradeNo: tradeNo,
        createTime: String(env.clock.now().getTime()),
        userId: 'u-1',
        amount: '12.5',
        cryptoCurrency: 'USDT',
      },
      m.securityKey,
    ),
  );

/**
 * The well-known structure of an OpenAPI 3.1 document (OAS 3.1 §4.8), as far as Tender's documents use it:
 * a version, info, paths of operations whose responses each have a description and content by media type.
 */
const MediaType = { type: 'object', properties: { schema: { type: 'object' } }, additionalProperties: false };
const Operation = {
  type: 'object',
  required: ['responses', 'operationId'],
  properties: {
    operationId: { type: 'string' },
    summary: { type: 'string' },
    parameters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'in', 'schema'],
        properties: { in: { enum: ['path', 'query', 'header', 'cookie'] }, required: { type: 'boolean' } },
      },
    },
    requestBody: {
      type: 'object',
      required: ['content'],
      properties: { content: { type: 'object', additionalProperties: MediaType } },
    },
    responses: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^(?:[1-5][0-9]{2}|default)$' },
      additionalProperties: {
        type: 'object',
        required: ['description'],
        properties: { description: { type: 'string' }, content: { type: 'object', additionalProperties: MediaType } },
        additionalProperties: false,
      },
    },
  },
};
const OpenApi31 = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.[0-9]+$' },
    info: { type: 'object', required: ['title', 'version'] },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'post', 'patch', 'put', 'delete'] },
        additionalProperties: Operation,
      },
    },
    components: { type: 'object', properties: { schemas: { type: 'object' } } },
  },
};

/** Every `$ref` in `doc` points at a schema the document holds. */
function danglingRefs(doc: any): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const ref = (v as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && !doc.components?.schemas?.[ref.replace('#/components/schemas/', '')]) out.push(ref);
    Object.values(v).forEach(walk);
  };
  walk(doc);
  return out;
}

test(
  'issue 10: /openapi.json and /openapi/<dialect>.json are OpenAPI 3.1 documents listing every route, ' +
    'status and error code',
  async () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(OpenApi31) as ((d: unknown) => boolean) & {
      errors?: unknown;
    };
    const full = await getJson(`${env.url}/openapi.json`);
    assert.equal(full.status, 200);
    assert.ok(validate(full.body), JSON.stringify(validate.errors));
    assert.deepEqual(danglingRefs(full.body), []);
    for (const c of CONTRACTS) {
      const one = await getJson(`${env.url}/openapi/${c.name}.json`);
      assert.equal(one.status, 200, c.name);
      assert.ok(validate(one.body), `${c.name}: ${JSON.stringify(validate.errors)}`);
      assert.deepEqual(danglingRefs(one.body), [], c.name);
      for (const r of c.routes) {
        // Every documented route exists on the server, in both documents, with the dialect's common statuses.
        assert.ok(env.app.hasRoute({ method: r.method, url: r.route }), `${r.method} ${r.route} is not served`);
        const op = one.body.paths[r.path]?.[r.method.toLowerCase()];
        assert.ok(op, `${c.name}: ${r.method} ${r.path} is missing`);
        assert.deepEqual(full.body.paths[r.path][r.method.toLowerCase()], op);
        for (const status of [...Object.keys(r.answers), ...Object.keys(c.common)])
          assert.ok(op.responses[status], `${r.method} ${r.path} lacks ${status}`);
      }
    }
    // Every catalog code of the openapi dialect is in its documented refusal, and the two merchantId types differ.
    const schemas = full.body.components.schemas;
    const codes = schemas.OpenapiRefusal.properties.code.anyOf.map((x: { const: number }) => x.const);
    for (const code of Object.values(OPENAPI_CODES)) assert.ok(codes.includes(code), `code ${code} is not documented`);
    assert.equal(schemas.CreateOrder.properties.data.properties.merchantId.type, 'string');
    assert.equal(schemas.OrderDetail.properties.data.properties.merchantId.type, 'integer');
    // The served document itself (JSON Schema 2020-12, OpenAPI 3.1's dialect) validates a real answer, and rejects a
    // drifted one: clients generated from it read what Tender sends.
    const a2020 = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    a2020.addSchema({ ...full.body, $id: 'tender' }, undefined, undefined, false);
    const pointer = '/paths/~1openapi~1v1~1createOrder/post/responses/200/content/application~1json/schema';
    const fromDocument = a2020.compile({ $ref: `tender#${pointer}` }) as ((d: unknown) => boolean) & {
      errors?: unknown;
    };
    const created = await createOrder('T-DOC');
    assert.equal(created.body.code, 0, JSON.stringify(created.body));
    assert.ok(fromDocument(created.body), JSON.stringify(fromDocument.errors));
    assert.ok(!fromDocument({ ...created.body, data: { ...created.body.data, merchantId: 7 } }));
    // An unknown document is the openapi dialect's 404, not another document.
    const none = await getJson(`${env.url}/openapi/nothing.json`);
    assert.equal(none.status, 404);
    assert.equal(none.body.code, 404);
  },
);

test(
  'issue 10: every route the server registers is in the ' + 'contract (a new route without its contract fails)',
  async () => {
    const registered: string[] = [];
    const app = await buildApp(env.deps, {
      adminToken: env.adminToken,
      observeRoute: (method, url) => {
        if (method !== 'HEAD')
          registered.push(`${method} ${url.replace(/^\/openapi\/v1\/openapi\/v1\//, '/openapi/v1/')}`);
      },
    });
    await app.close();
    const documented = CONTRACTS.flatMap((c) => c.routes.map((r) => `${r.method} ${r.route}`));
    assert.ok(registered.length >= documented.length, `only ${registered.length} routes seen`);
    assert.deepEqual([...new Set(registered)].sort(), [...documented].sort());
  },
);

test(
  'issue 10 (item 4): createOrder answers data.merchantId ' + 'as a string (§13), getOrderDetail as a number (§9)',
  async () => {
    const created = await createOrder('T-TYPES');
    assert.equal(created.body.code, 0, JSON.stringify(created.body));
    assert.equal(created.body.data.merchantId, String(m.merchantId));
    const detail = await getJson(
      `${env.url}/openapi/v1/getOrderDetail`,
      signed({ merchantId: String(m.merchantId), merchantTradeNo: 'T-TYPES' }, m.securityKey),
    );
    assert.equal(detail.body.code, 0, JSON.stringify(detail.body));
    assert.equal(detail.body.data.merchantId, m.merchantId);
  },
);

test(
  'issue 10: an answer that drifts from the contract is ' + 'reported with its route, status and the schema error',
  async () => {
    const res = await fetch(`${env.url}/openapi/v1/createOrder`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(
        signed(
          {
            merchantId: String(m.merchantId),
            merchantTradeNo: 'T-DRIFT',
            createTime: String(env.clock.now().getTime()),
            userId: 'u-1',
            amount: '3',
            cryptoCurrency: 'USDT',
          },
          m.securityKey,
        ),
      ).toString(),
    });
    const real: ObservedAnswer = {
      method: 'POST',
      route: '/openapi/v1/createOrder',
      url: '/openapi/v1/createOrder',
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: await res.text(),
    };
    assert.deepEqual(answerProblems(real), [], 'the real answer conforms');
    const drift = (change: (d: any) => void, over: Partial<ObservedAnswer> = {}) => {
      const body = JSON.parse(real.body!);
      change(body);
      return answerProblems({ ...real, body: JSON.stringify(body), ...over });
    };
    const one = (problems: ReturnType<typeof answerProblems>, pattern: RegExp) => {
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0]!.where, /POST \/openapi\/v1\/createOrder$/);
      assert.match(problems[0]!.problem, pattern);
    };
    one(
      drift((b) => {
        b.data.merchantId = m.merchantId;
      }),
      /\/data\/merchantId must be string/,
    );
    one(
      drift((b) => {
        delete b.data.cashierURL;
      }),
      /must have required property 'cashierURL'/,
    );
    one(
      drift((b) => {
        b.data.orderAmount = 12.5;
      }),
      /\/data\/orderAmount must be string/,
    );
    one(
      drift((b) => {
        b.data.fee = '1e-2';
      }),
      /\/data\/fee must match pattern/,
    );
    one(
      drift((b) => {
        b.extra = true;
      }),
      /must NOT have additional properties/,
    );
    one(
      drift(() => {}, { status: 201 }),
      /documents no status 201/,
    );
    one(
      drift(() => {}, { contentType: 'text/plain' }),
      /content type text\/plain, documented application\/json/,
    );
    one(
      drift(() => {}, { body: '<html></html>' }),
      /not JSON/,
    );
    // A refusal must use the catalog's codes: an invented one is caught.
    one(
      drift((b) => {
        Object.assign(b, { code: 99999, msg: 'x', data: null });
      }),
      /code/,
    );
    const undocumented = answerProblems({ ...real, route: '/openapi/v1/secretThing', url: '/openapi/v1/secretThing' });
    assert.match(undocumented[0]!.problem, /not in any contract/);
    // Pages and metrics are judged by content type; a stream body by its content type only.
    const page = { method: 'GET', route: '/pay/:code', url: '/pay/x', status: 200, body: '<!doctype html>' };
    assert.deepEqual(answerProblems({ ...page, contentType: 'text/html; charset=utf-8' }), []);
    assert.equal(answerProblems({ ...page, contentType: 'application/json' }).length, 1);
    const metrics = { method: 'GET', route: '/metrics', url: '/metrics', status: 200, body: undefined };
    assert.deepEqual(answerProblems({ ...metrics, contentType: 'text/plain; version=0.0.4' }), []);
    // A redirect is documented without a body.
    const redirect = {
      method: 'POST',
      route: '/pay/:code/network',
      url: '/pay/x/network',
      status: 303,
      contentType: '',
    };
    assert.deepEqual(answerProblems({ ...redirect, body: '' }), []);
    assert.equal(answerProblems({ ...redirect, body: '{"a":1}' }).length, 1);
  },
);

test(
  'issue 10: every answer this file received, success or refusal, ' + 'of every dialect, passed the contract check',
  async () => {
    const before = env.contract.seen;
    const order = await createOrder('T-ALL');
    await sandboxSettle(env, order.body.data.orderId, 'complete');
    await getJson(
      `${env.url}/openapi/v1/getMerchantBalance`,
      signed({ merchantId: String(m.merchantId) }, m.securityKey),
    );
    await getJson(`${env.url}/openapi/v1/getOrderDetail`, { merchantId: String(m.merchantId), sign: 'bad' });
    await getJson(`${env.url}/openapi/v1/nothing`);
    await getJson(`${env.url}/openapi/v1/getOrderDetail?x=%zz`);
    const started = await postJson(`${env.url}/api/start_payment`, { merchant_secret: m.merchantSecret, amount: 5 });
    await getJson(`${env.url}/watch/${started.body.watch_code}`);
    await postJson(`${env.url}/api/start_payment`, { merchant_secret: 'wrong', amount: 5 });
    await postJson(`${env.url}/v2/payment`, { apikey: 'nope', site_id: '1' });
    await postJson(`${env.url}/v2/payment/check`, { apikey: m.apikey, site_id: m.siteId, transaction_id: 'none' });
    await getJson(`${env.url}/admin/merchants/${m.merchantId}`);
    const admin = { authorization: `Bearer ${env.adminToken}` };
    await fetch(`${env.url}/admin/merchants/${m.merchantId}`, { headers: admin });
    await fetch(`${env.url}/admin/orders/${order.body.data.orderId}`, { headers: admin });
    await fetch(`${env.url}/admin/deposit-addresses`, { headers: admin });
    await fetch(`${env.url}/metrics`, { headers: admin });
    await fetch(`${env.url}/pay/${order.body.data.cashierURL.split('/pay/')[1]}`);
    await fetch(`${env.url}/pay/nothing-here/status`);
    await fetch(`${env.url}/healthz`);
    await fetch(`${env.url}/openapi/v1/createOrder`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<a/>',
    });
    // Each request above was observed (the hook is on for every dialect) and none drifted.
    assert.ok(env.contract.seen - before >= 20, `observed ${env.contract.seen - before}`);
    assert.deepEqual(env.contract.violations, []);
  },
);

test('issue 10: docs/api-<dialect>.md are exactly what the generator writes from the contract', () => {
  for (const c of CONTRACTS) {
    const file = projectPath(join('docs', `api-${c.name}.md`));
    assert.equal(
      readFileSync(file, 'utf8'),
      dialectMarkdown(c),
      `${file} is stale: run npm run build && node scripts/api-docs.mjs`,
    );
  }
});
