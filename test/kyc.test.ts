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

const ok = (r: { body: any; text: string }, count: number) => {
  assert.equal(r.body?.code, 0, r.text.slice(0, 300));
  assert.deepEqual(r.body.data, { count });
};
const refused = (r: { status: number; body: any; text: string }, code: number, msg?: string) => {
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.body?.code, code, r.text.slice(0, 300));
  assert.equal(r.body.data, null);
  if (msg !== undefined) assert.equal(r.body.msg, msg);
};
const stored = async (merchantId: number): Promise<number> =>
  Number(
    (await env.deps.db.query('SELECT count(*) AS n FROM kyc_records WHERE merchant_id = $1', [merchantId])).rows[0].n,
  );

test('issue 13: 1001 records are refused with their own code and nothing is stored', async () => {
  const m = await newMerchant(env);
  const r = await submitKycRaw(env.url, kycForm(m, JSON.stringify(kycRecords(1001))), 'form');
  refused(r, 10103, 'data holds 1001 records; at most 1000 are accepted per call');
  assert.equal(await stored(m.merchantId), 0);
});

test('issue 13: one bad record among 1000 refuses the whole call (all or nothing), naming its index', async () => {
  const m = await newMerchant(env);
  const records = kycRecords(1000);
  records[637] = { ...records[637], email: 'not-an-address' };
  const r = await submitKycRaw(env.url, kycJsonBody(m, JSON.stringify(records)), 'json');
  refused(r, 10104, 'data[637].email: is not a valid e-mail address');
  assert.equal(await stored(m.merchantId), 0);
  // The same call without the bad record stores all 1000.
  records[637] = kycRecord(637);
  ok(await submitKycRaw(env.url, kycJsonBody(m, JSON.stringify(records)), 'json'), 1000);
  assert.equal(await stored(m.merchantId), 1000);
});

test('issue 13: brithday/birthday and IdCardUrls/idCardUrls are one field each; a conflict is refused', async () => {
  const m = await newMerchant(env);
  const seed = kycRecord(5);
  const doc = kycRecordDocSpelling(6);
  const mixed = { ...kycRecordDocSpelling(7), brithday: '1961-07-23' }; // both spellings, same value
  ok(await submitKycRaw(env.url, kycForm(m, JSON.stringify([seed, doc, mixed])), 'form'), 3);
  for (const n of ['0005', '0006', '0007']) {
    const r = await readKyc(env.deps, String(m.merchantId), `kyc-user-${n}`);
    assert.equal(r?.birthday, '1961-07-23');
    assert.deepEqual(r?.idCardUrls, [`https://kyc-docs.example/zq${n}/passport.jpg`]);
  }
  const conflict = { ...kycRecordDocSpelling(8), brithday: '1970-01-02' };
  refused(
    await submitKycRaw(env.url, kycForm(m, JSON.stringify([conflict])), 'form'),
    10104,
    'data[0].birthday: given twice (brithday and its other spelling) with different values',
  );
  const urls = { ...kycRecord(9), idCardUrls: ['https://kyc-docs.example/other.jpg'] };
  const r = await submitKycRaw(env.url, kycForm(m, JSON.stringify([urls])), 'form');
  refused(r, 10104);
  assert.match(r.body.msg, /^data\[0\]\.idCardUrls: given twice/);
});

test('issue 13: an upsert replaces the earlier record of the same userId; other users stay', async () => {
  const m = await newMerchant(env);
  ok(await submitKycRaw(env.url, kycForm(m, JSON.stringify([kycRecord(1), kycRecord(2)])), 'form'), 2);
  const before = (
    await env.deps.db.query('SELECT user_id, created_at, updated_at FROM kyc_records WHERE merchant_id = $1', [
      m.merchantId,
    ])
  ).rows;
  env.clock.advance(60);
  const changed = kycRecord(1, {
    country: 'br',
    iddCode: '+55',
    mobile: '(91) 7302-8465',
    gender: 'Male',
    lastName: 'Brönnimann-Öztürk',
  });
  ok(await submitKycRaw(env.url, kycForm(m, JSON.stringify([changed])), 'form'), 1);
  const one = await readKyc(env.deps, String(m.merchantId), 'kyc-user-0001');
  assert.equal(one?.country, 'BR');
  assert.equal(one?.iddCode, '55');
  assert.equal(one?.mobile, '9173028465');
  assert.equal(one?.lastName, 'Brönnimann-Öztürk');
  assert.equal(one?.gender, 'male');
  assert.equal((await readKyc(env.deps, String(m.merchantId), 'kyc-user-0002'))?.country, 'RU');
  const after = (
    await env.deps.db.query(
      'SELECT user_id, created_at, updated_at FROM kyc_records WHERE merchant_id = $1 ORDER BY user_id',
      [m.merchantId],
    )
  ).rows;
  assert.equal(after.length, 2);
  const was = (u: string) => before.find((r) => r.user_id === u)!;
  assert.equal(after[0].created_at.getTime(), was('kyc-user-0001').created_at.getTime());
  assert.ok(after[0].updated_at.getTime() > was('kyc-user-0001').updated_at.getTime());
  assert.equal(after[1].updated_at.getTime(), was('kyc-user-0002').updated_at.getTime());
  // Another merchant's user of the same id is another record.
  const other = await newMerchant(env);
  assert.equal(await hasKyc(env.deps.db, String(other.merchantId), 'kyc-user-0001'), false);
});

test('issue 13: an identical replay answers the same and writes nothing', async () => {
  const m = await newMerchant(env);
  const body = kycForm(m, JSON.stringify(kycRecords(3)));
  const first = await submitKycRaw(env.url, body, 'form');
  ok(first, 3);
  const rows = async () =>
    (
      await env.deps.db.query(
        'SELECT user_id, record_sealed, updated_at FROM kyc_records WHERE merchant_id = $1 ORDER BY user_id',
        [m.merchantId],
      )
    ).rows;
  const was = await rows();
  env.clock.advance(30);
  const again = await submitKycRaw(env.url, body, 'form');
  ok(again, 3);
  assert.notEqual(again.body.traceid, first.body.traceid);
  assert.deepEqual(await rows(), was);
});

test('issue 13: concurrent submits of the same users: no error, the last writer wins on every record', async () => {
  const m = await newMerchant(env);
  const versions = ['RU', 'BR', 'FR', 'DE', 'JP', 'KE', 'MX', 'NO'];
  // Each call holds the same 40 users, in a different order, all with its own country.
  const bodies = versions.map((country, v) => {
    const recs = Array.from({ length: 40 }, (_, i) => kycRecord(i, { country }));
    if (v % 2) recs.reverse();
    return kycForm(m, JSON.stringify(recs));
  });
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.all(bodies.map((b) => submitKycRaw(env.url, b, 'form')));
    for (const a of answers) ok(a, 40);
    const countries = new Set<string>();
    for (let i = 0; i < 40; i++)
      countries.add((await readKyc(env.deps, String(m.merchantId), kycRecord(i).userId as string))!.country);
    assert.equal(countries.size, 1, `records of one call only, found ${[...countries]}`);
  }
  assert.equal(await stored(m.merchantId), 40);
});

test('issue 13: the stored rows hold no personal value in clear', async () => {
  const m = await newMerchant(env);
  const recs = kycRecords(5, 100);
  ok(await submitKycRaw(env.url, kycForm(m, JSON.stringify(recs)), 'form'), 5);
  const { rows } = await env.deps.db.query('SELECT t::text AS row FROM kyc_records t WHERE merchant_id = $1', [
    m.merchantId,
  ]);
  assert.equal(rows.length, 5);
  const text = rows.map((r) => r.row).join('\n');
  for (const r of recs)
    for (const [k, v] of Object.entries(r)) {
      if (k === 'userId' || k === 'gender' || k === 'country' || k === 'iddCode' || v === '') continue;
      for (const value of [v].flat() as string[]) assert.ok(!text.includes(value), `${k} stored in clear`);
      if (k === 'lastName') assert.ok(!text.toLowerCase().includes(String(v).toLowerCase()));
    }
  // The whole record is sealed: opened, it is the normalised record.
  const opened = await readKyc(env.deps, String(m.merchantId), 'kyc-user-0100');
  assert.equal(opened?.email, recs[0]!.email);
});

/** [field, bad value (undefined: left out), the refusal's reason]: each failure's own answer. */
const FIELD_FAILURES: Array<[string, unknown, string]> = [
  ['userId', undefined, 'userId: is required'],
  ['userId', 'has space', 'userId: must be 1-64 characters without spaces, & or ='],
  ['userId', 'u'.repeat(65), 'userId: is longer than 64 characters'],
  ['firstName', undefined, 'firstName: is required'],
  ['firstName', 'R2D2', 'firstName: must be letters, with spaces, apostrophes, hyphens or dots between them'],
  ['firstName', { a: 1 }, 'firstName: must be a string'],
  ['middleName', '<script>', 'middleName: must be letters, with spaces, apostrophes, hyphens or dots between them'],
  ['lastName', '', 'lastName: is required'],
  ['lastName', 'x'.repeat(65), 'lastName: is longer than 64 characters'],
  ['lastName', 'Line\nBreak', 'lastName: contains a control character'],
  ['brithday', undefined, 'birthday: is required'],
  ['brithday', '1987-02-30', 'birthday: must be a real date written YYYY-MM-DD (1900 or later)'],
  ['brithday', '01/05/1987', 'birthday: must be a real date written YYYY-MM-DD (1900 or later)'],
  ['brithday', '1899-12-31', 'birthday: must be a real date written YYYY-MM-DD (1900 or later)'],
  ['brithday', '2999-01-01', 'birthday: is in the future'],
  ['gender', 'male/female', 'gender: must be male or female'],
  ['gender', undefined, 'gender: is required'],
  ['country', 'RUS', 'country: must be an ISO 3166-1 alpha-2 code such as RU'],
  ['country', 'XX', 'country: must be an ISO 3166-1 alpha-2 code such as RU'],
  ['iddCode', '007', 'iddCode: must be a country calling code of 1-4 digits, e.g. 7 or +55'],
  ['iddCode', '12345', 'iddCode: must be a country calling code of 1-4 digits, e.g. 7 or +55'],
  ['iddCode', -7, 'iddCode: must be a string'],
  ['personalCode', '#12', 'personalCode: must be 1-64 letters or digits, with spaces, dots, slashes or hyphens'],
  [
    'certificateDateStart',
    '2008-13-01',
    'certificateDateStart: must be a real date written YYYY-MM-DD (1900 or later)',
  ],
  ['certificateDateEnd', '2038-1-1', 'certificateDateEnd: must be a real date written YYYY-MM-DD (1900 or later)'],
  ['certificateDateEnd', '2007-12-31', 'certificateDateEnd: is before certificateDateStart'],
  ['IdCardUrls', ['ftp://kyc-docs.example/a.jpg'], 'IdCardUrls[0]: must be an http(s) URL of at most 2048 characters'],
  ['IdCardUrls', { url: 'x' }, 'idCardUrls: must be an array of URLs'],
  [
    'documentUrls',
    ['https://ok.example/a.pdf', 'not a url'],
    'documentUrls[1]: must be an http(s) URL of at most 2048 characters',
  ],
  ['documentUrls', Array(11).fill('https://ok.example/a.pdf'), 'documentUrls: holds more than 10 URLs'],
  ['email', 'asdf@', 'email: is not a valid e-mail address'],
  ['email', 'a@b', 'email: is not a valid e-mail address'],
  ['email', undefined, 'email: is required'],
  ['mobile', '12-ab', 'mobile: must be 4-15 digits, without the calling code'],
  ['mobile', '1234567890123', 'mobile: with iddCode it is longer than the 15 digits of an international number'],
  ['mobile', undefined, 'mobile: is required'],
];

test('issue 13: every field validation failure has its own answer naming the record index and the field', async () => {
  const m = await newMerchant(env);
  for (const [i, [field, value, why]] of FIELD_FAILURES.entries()) {
    const at = i % 3; // the bad record is first, second or third of the call
    const records = kycRecords(3, 500);
    const bad: Record<string, unknown> = { ...records[at] };
    if (value === undefined) delete bad[field];
    else bad[field] = value;
    if (field === 'iddCode' && why.includes('longer')) bad.iddCode = '7';
    if (field === 'mobile' && why.includes('15 digits')) bad.iddCode = '380';
    records[at] = bad;
    const r = await submitKycRaw(env.url, kycForm(m, JSON.stringify(records)), 'form');
    const expected = `data[${at}].${why}`.replace('.IdCardUrls', '.idCardUrls');
    refused(r, 10104, expected);
    if (typeof value === 'string' && value.length > 3) assert.ok(!r.text.includes(value), `${field} value echoed`);
  }
  assert.equal(await stored(m.merchantId), 0);
});

test('issue 13: malformed data, duplicates, signature and replay window have their own answers', async () => {
  const m = await newMerchant(env);
  const form = (data: string, extra: Record<string, string> = {}) =>
    submitKycRaw(env.url, kycForm(m, data, extra), 'form');
  refused(await form('[{"userId":'), 10100, 'data must be JSON text: an array of KYC records');
  refused(await form('{"userId":"a"}'), 10101, 'data must be a JSON array of KYC records');
  refused(await form('[]'), 10102, 'data holds no KYC record');
  refused(await form('["kyc"]'), 10104, 'data[0]: each record must be a JSON object');
  refused(
    await form(JSON.stringify([kycRecord(1), kycRecord(2), kycRecord(1)])),
    10105,
    'data[2].userId: the same userId as data[0]',
  );
  refused(await form(''), 10010, 'data is required');
  const stale = String(env.clock.now().getTime() - 25 * 3600 * 1000);
  refused(await form(JSON.stringify([kycRecord(1)]), { createTime: stale }), 10005);
  ok(await form(JSON.stringify([kycRecord(1)]), { createTime: String(env.clock.now().getTime()), count: '1' }), 1);
  // The signature covers data as the raw text sent: the same array signed in another layout does not match.
  const sent = JSON.stringify([kycRecord(3)], null, 2);
  const body = kycJsonBody(m, JSON.stringify([kycRecord(3)])).replace(/"data":.*\}$/s, `"data":${sent}}`);
  refused(await submitKycRaw(env.url, body, 'json'), 10004);
  // A tampered record after signing does not match either.
  const tampered = kycForm(m, JSON.stringify([kycRecord(4)])).replace('female', 'male');
  refused(await submitKycRaw(env.url, tampered, 'form'), 10004);
  // A JSON body with data as a string (JSON text inside JSON) is the form's spelling, signed as that text.
  const p = { merchantId: String(m.merchantId), data: JSON.stringify([kycRecord(5)]) };
  const { signParams } = await import('../src/domain/signature.js');
  ok(await submitKycRaw(env.url, JSON.stringify({ ...p, sign: signParams(p, m.securityKey) }), 'json'), 1);
  assert.equal(await stored(m.merchantId), 2);
});

test(
  'issue 13: submitKYC parameters in the query string (as the seed curl examples) work and are ' + 'cut from logs',
  async () => {
    const m = await newMerchant(env);
    const query = kycForm(m, JSON.stringify([kycRecord(700)]));
    const r = await submitKycRaw(`${env.url}`, '', 'form', `?${query}`);
    ok(r, 1);
    assert.ok(await hasKyc(env.deps.db, String(m.merchantId), 'kyc-user-0700'));
    const { maskUrl } = await import('../src/api/log-mask.js');
    assert.ok(!maskUrl(`/openapi/v1/submitKYC?${query}`).includes('Zephyrine'));
    assert.match(maskUrl(`/openapi/v1/submitKYC?${query}`), /data=\[REDACTED\]/);
  },
);
