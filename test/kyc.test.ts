// Issue 13: POST /openapi/v1/submitKYC over real HTTP and PostgreSQL (seed 001 §11, shared/spec M6, docs/kyc.md).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newMerchant, startTestEnv, type TestEnv } from './harness.js';
import { hasKyc, readKyc } from '../src/core/kyc.js';
import { kycForm, kycJsonBody, kycRecord, kycRecordDocSpelling, kycRecords, submitKycRaw } from './kyc-helpers.js';

let env: TestEnv;
before(async () => {
  env = await startTestEnv();
});
after(async () => {
  await env.close();
});

test('issue 13: submitKYC accepts a form field of JSON text and a JSON body, both signed as the raw text', async () => {
  const m = await newMerchant(env);
  const formText = JSON.stringify([kycRecord(1)]);
  const form = await submitKycRaw(env.url, kycForm(m, formText), 'form');
  assert.equal(form.status, 200);
  assert.deepEqual(form.body.data, { count: 1 }, form.text);
  assert.equal(form.body.code, 0);
  // The JSON body carries data as an array, written with its own spacing: the signature covers that text.
  const jsonText = `[ ${JSON.stringify(kycRecordDocSpelling(2), null, 1)} ]`;
  const json = await submitKycRaw(env.url, kycJsonBody(m, jsonText), 'json');
  assert.equal(json.body.code, 0, json.text);
  assert.deepEqual(json.body.data, { count: 1 });
  assert.ok(await hasKyc(env.deps.db, String(m.merchantId), 'kyc-user-0001'));
  assert.ok(await hasKyc(env.deps.db, BigInt(m.merchantId), 'kyc-user-0002'));
  assert.equal(await hasKyc(env.deps.db, String(m.merchantId), 'kyc-user-0003'), false);
  const one = await readKyc(env.deps, String(m.merchantId), 'kyc-user-0001');
  assert.equal(one?.birthday, '1961-07-23');
  assert.deepEqual(one?.idCardUrls, ['https://kyc-docs.example/zq0001/passport.jpg']);
  const two = await readKyc(env.deps, String(m.merchantId), 'kyc-user-0002');
  assert.equal(two?.birthday, '1961-07-23');
  assert.deepEqual(two?.idCardUrls, ['https://kyc-docs.example/zq0002/passport.jpg']);
});

test('issue 13: 1000 records in one call are accepted', async () => {
  const m = await newMerchant(env);
  const r = await submitKycRaw(env.url, kycForm(m, JSON.stringify(kycRecords(1000))), 'form');
  assert.equal(r.body.code, 0, r.text.slice(0, 300));
  assert.deepEqual(r.body.data, { count: 1000 });
});
