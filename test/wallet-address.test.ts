// getWalletAddress (seed 001 §3) and createOrder with a network: addresses derived from account xpubs,
// stable per user, never shared, gapless and race-free allocation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, getJson, postForm, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { offlineCryptoEnv } from './reference-keys.js';

let env: TestEnv;
let m: MerchantCredentials;
before(async () => {
  env = await startTestEnv({
    ...offlineCryptoEnv(),
  });
  m = await newMerchant(env);
});
after(async () => {
  await env.close();
});

const wallet = (userId: string, mc = m) =>
  getJson(
    `${env.url}/openapi/v1/getWalletAddress`,
    signed({ merchantId: String(mc.merchantId), userId }, mc.securityKey),
  );

test("one address per chain shared by its assets, in the seed's shape, with the wire network names", async () => {
  const r = await wallet('alice');
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  const rows = r.body.data as Array<{ address: string; currency: string; network: string }>;
  assert.deepEqual(rows.map((x) => `${x.currency}/${x.network}`).sort(), [
    'BNB/BSC(BEP-20)',
    'BTC/Bitcoin',
    'ETH/Ethereum(ERC-20)',
    'TRX/TRON(TRC-20)',
    'USDT/BSC(BEP-20)',
    'USDT/Ethereum(ERC-20)',
    'USDT/TRON(TRC-20)',
  ]);
  const by = (c: string, n: string) => rows.find((x) => x.currency === c && x.network === n)!.address;
  assert.equal(by('USDT', 'TRON(TRC-20)'), by('TRX', 'TRON(TRC-20)'));
  assert.equal(by('ETH', 'Ethereum(ERC-20)'), by('USDT', 'BSC(BEP-20)'), 'EVM chains share the address of one key');
  // The first user of a fresh database gets index 0: the published first addresses of the reference mnemonic.
  assert.equal(by('ETH', 'Ethereum(ERC-20)'), '0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
  assert.equal(by('TRX', 'TRON(TRC-20)'), 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH');
  assert.equal(by('BTC', 'Bitcoin'), 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu');
  assert.deepEqual((await wallet('alice')).body.data, rows, 'the same user always gets the same addresses');
});

test('concurrent requests: one allocation per user, distinct users never share, indexes have no gaps', async () => {
  const same = await Promise.all(Array.from({ length: 10 }, () => wallet('bob')));
  assert.equal(new Set(same.map((r) => JSON.stringify(r.body.data))).size, 1);
  const users = await Promise.all(Array.from({ length: 15 }, (_, i) => wallet(`user-${i}`)));
  const btc = users.map((r) => r.body.data.find((x: any) => x.currency === 'BTC').address);
  assert.equal(new Set(btc).size, 15);
  const { rows } = await env.deps.db.query(
    `SELECT family, array_agg(derivation_index ORDER BY derivation_index) AS idx FROM deposit_addresses
    GROUP BY family`,
  );
  for (const r of rows)
    assert.deepEqual(
      r.idx,
      r.idx.map((_: number, i: number) => i),
      `${r.family} indexes are gapless`,
    );
  const other = await newMerchant(env, { brand: 'Other' });
  const theirs = (await wallet('alice', other)).body.data;
  assert.notEqual(theirs[0].address, (await wallet('alice')).body.data[0].address, 'user ids are per merchant');
});

test('createOrder with a network returns its own fresh address; a retry returns the same one', async () => {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: 'NET-1',
    createTime: String(Date.now()),
    userId: 'alice',
    amount: '25',
    cryptoCurrency: 'USDT',
    network: 'TRON(TRC-20)',
  };
  const a = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(a.body.code, 0, JSON.stringify(a.body));
  assert.equal(a.body.data.network, 'TRON(TRC-20)');
  assert.match(a.body.data.address, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
  const userAddr = (await wallet('alice')).body.data.find((x: any) => x.network === 'TRON(TRC-20)').address;
  assert.notEqual(a.body.data.address, userAddr, "an order never reuses the user's static address");
  const b = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(b.body.data.address, a.body.data.address);
  const bad = await postForm(
    `${env.url}/openapi/v1/createOrder`,
    signed({ ...p, merchantTradeNo: 'NET-2', cryptoCurrency: 'BTC' }, m.securityKey),
  );
  assert.equal(bad.body.code, 10013, 'BTC is not offered on TRON');
});

test('userId is mandatory', async () => {
  const r = await getJson(
    `${env.url}/openapi/v1/getWalletAddress`,
    signed({ merchantId: String(m.merchantId) }, m.securityKey),
  );
  assert.equal(r.body.code, 10010);
});
