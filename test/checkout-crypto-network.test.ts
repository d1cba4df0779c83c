// The customer's choice of network for a crypto order created without one (POST /pay/:code/network and
// chooseOrderNetwork): a compare-and-set on the order's network plus its fresh address, idempotent for the
// same network, refused for another one, exactly one winner when different choices race.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEnv, newMerchant, signed, postForm, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import { chooseOrderNetwork } from '../src/core/crypto-orders.js';
import { closeOrder } from '../src/core/payments.js';
import { TenderError } from '../src/domain/errors.js';
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

let seq = 0;
async function order(
  extra: Record<string, string> = {},
): Promise<{ orderId: string; payCode: string; address?: string }> {
  const p = {
    merchantId: String(m.merchantId),
    merchantTradeNo: `NW-${++seq}`,
    createTime: String(Date.now()),
    userId: 'u-1',
    amount: '12.5',
    cryptoCurrency: 'USDT',
    ...extra,
  };
  const r = await postForm(`${env.url}/openapi/v1/createOrder`, signed(p, m.securityKey));
  assert.equal(r.body.code, 0, JSON.stringify(r.body));
  return {
    orderId: r.body.data.orderId,
    payCode: new URL(r.body.data.cashierURL).pathname.split('/').pop()!,
    address: r.body.data.address,
  };
}

async function choose(
  payCode: string,
  network: string,
): Promise<{ status: number; location: string | null; text: string }> {
  const res = await fetch(`${env.url}/pay/${payCode}/network`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ network }).toString(),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

async function state(
  orderId: string,
): Promise<{ network: string | null; addresses: { family: string; address: string }[] }> {
  const o = await env.deps.db.query('SELECT network FROM orders WHERE id = $1', [orderId]);
  const a = await env.deps.db.query('SELECT family, address FROM deposit_addresses WHERE order_id = $1 ORDER BY id', [
    orderId,
  ]);
  return { network: o.rows[0].network, addresses: a.rows };
}

const refused = (code: string) => (e: unknown) => e instanceof TenderError && e.code === code;

test("choosing a network sets it and allocates the order's address; the same choice again is idempotent", async () => {
  const o = await order();
  assert.deepEqual(await state(o.orderId), { network: null, addresses: [] });
  const r = await choose(o.payCode, 'TRON(TRC-20)');
  assert.equal(r.status, 303);
  assert.equal(r.location, `/pay/${o.payCode}`);
  const s = await state(o.orderId);
  assert.equal(s.network, 'TRON(TRC-20)');
  assert.equal(s.addresses.length, 1);
  assert.equal(s.addresses[0]!.family, 'tron');
  assert.match(s.addresses[0]!.address, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);

  assert.equal((await choose(o.payCode, 'TRON(TRC-20)')).status, 303);
  const again = await chooseOrderNetwork(env.deps, { orderId: o.orderId }, 'TRON(TRC-20)');
  assert.equal(again.address, s.addresses[0]!.address);
  assert.equal(again.order.network, 'TRON(TRC-20)');
  assert.deepEqual(await state(o.orderId), s, 'no second address, nothing changed');

  // getOrderDetail reports the chosen network.
  const query = new URLSearchParams(
    signed({ merchantId: String(m.merchantId), cpayOrderId: o.orderId }, m.securityKey),
  );
  const d = await fetch(`${env.url}/openapi/v1/getOrderDetail?${query}`).then((x) => x.json());
  assert.equal(d.data.network, 'TRON(TRC-20)');
});

test('another network after the choice is refused with a clear error, and nothing changes', async () => {
  const o = await order();
  await chooseOrderNetwork(env.deps, { payCode: o.payCode }, 'BSC(BEP-20)');
  const before = await state(o.orderId);
  const r = await choose(o.payCode, 'TRON(TRC-20)');
  assert.equal(r.status, 409);
  assert.match(r.text, /already BSC\(BEP-20\)/);
  assert.match(r.text, new RegExp(`href="/pay/${o.payCode}"`), 'the refusal offers the payment page');
  await assert.rejects(
    chooseOrderNetwork(env.deps, { orderId: o.orderId }, 'Ethereum(ERC-20)'),
    (e: unknown) =>
      refused('ILLEGAL_TRANSITION')(e) && /already BSC\(BEP-20\).*Ethereum\(ERC-20\)/.test((e as Error).message),
  );
  assert.deepEqual(await state(o.orderId), before);
});

test(
  'an order created with a network: choosing it again ' + "returns createOrder's address, another is refused",
  async () => {
    const o = await order({ network: 'Ethereum(ERC-20)' });
    assert.ok(o.address);
    const same = await chooseOrderNetwork(env.deps, { payCode: o.payCode }, 'Ethereum(ERC-20)');
    assert.equal(same.address, o.address);
    await assert.rejects(
      chooseOrderNetwork(env.deps, { payCode: o.payCode }, 'BSC(BEP-20)'),
      refused('ILLEGAL_TRANSITION'),
    );
    assert.equal((await state(o.orderId)).addresses.length, 1);
  },
);

test('two different networks racing: exactly one wins, one address, the losers are refused', async () => {
  for (let round = 0; round < 5; round++) {
    const o = await order();
    const nets = ['TRON(TRC-20)', 'BSC(BEP-20)', 'Ethereum(ERC-20)'];
    const tries = Array.from({ length: 12 }, (_, i) => nets[i % 3]!);
    const results = await Promise.all(
      tries.map((n, i) =>
        i % 2
          ? choose(o.payCode, n).then((r) => ({ n, ok: r.status === 303, refusedOk: r.status === 409 }))
          : chooseOrderNetwork(env.deps, { payCode: o.payCode }, n).then(
              () => ({ n, ok: true, refusedOk: false }),
              (e) => ({ n, ok: false, refusedOk: refused('ILLEGAL_TRANSITION')(e) }),
            ),
      ),
    );
    const s = await state(o.orderId);
    assert.ok(s.network && nets.includes(s.network));
    const winners = new Set(results.filter((r) => r.ok).map((r) => r.n));
    assert.deepEqual([...winners], [s.network], `round ${round}: only the chosen network succeeded`);
    assert.equal(results.filter((r) => r.ok).length, 4, 'every try of the winning network succeeds (idempotent)');
    assert.ok(
      results.filter((r) => !r.ok).every((r) => r.refusedOk),
      JSON.stringify(results),
    );
    assert.equal(s.addresses.length, 1, 'one address for the order');
    assert.equal(s.addresses[0]!.family, s.network === 'TRON(TRC-20)' ? 'tron' : 'evm');
  }
});

test(
  'refusals: a network that does not offer the asset, ' + 'an amount it cannot represent, a final or expired order',
  async () => {
    const o = await order();
    const notOffered = await choose(o.payCode, 'Bitcoin');
    assert.equal(notOffered.status, 400);
    assert.match(notOffered.text, /USDT is not offered on Bitcoin/);
    await assert.rejects(
      chooseOrderNetwork(env.deps, { payCode: o.payCode }, 'Solana'),
      refused('UNSUPPORTED_CURRENCY'),
    );
    assert.equal((await state(o.orderId)).network, null);

    // 7 decimals: exact on BSC (18), not on TRON or Ethereum (6).
    const seven = await order({ amount: '12.1234567' });
    await assert.rejects(
      chooseOrderNetwork(env.deps, { payCode: seven.payCode }, 'TRON(TRC-20)'),
      refused('AMOUNT_NOT_REPRESENTABLE'),
    );
    assert.equal((await choose(seven.payCode, 'Ethereum(ERC-20)')).status, 400);
    assert.equal((await state(seven.orderId)).network, null);
    assert.equal(
      (await chooseOrderNetwork(env.deps, { payCode: seven.payCode }, 'BSC(BEP-20)')).network.name,
      'BSC(BEP-20)',
    );

    const closed = await order();
    await closeOrder(env.deps, closed.orderId, 'failed');
    await assert.rejects(
      chooseOrderNetwork(env.deps, { payCode: closed.payCode }, 'TRON(TRC-20)'),
      refused('ILLEGAL_TRANSITION'),
    );
    const stale = await choose(closed.payCode, 'TRON(TRC-20)');
    assert.equal(stale.status, 303, 'a stale page is shown again with the real status');
    assert.deepEqual(await state(closed.orderId), { network: null, addresses: [] });

    const expiring = await order();
    env.clock.advance(env.deps.config.orderTtlSeconds + 1);
    try {
      await assert.rejects(
        chooseOrderNetwork(env.deps, { payCode: expiring.payCode }, 'TRON(TRC-20)'),
        refused('ORDER_EXPIRED'),
      );
    } finally {
      env.clock.advance(-(env.deps.config.orderTtlSeconds + 1));
    }
    assert.deepEqual(await state(expiring.orderId), { network: null, addresses: [] });
  },
);
