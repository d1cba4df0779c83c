// Shared by the mobile-money race and crash tests: CinetPay orders through the real init endpoint, the
// hosted page's forms over real HTTP, and one query that reads an order with its attempt and side rows.
import assert from 'node:assert/strict';
import { postJson, type TestEnv } from './harness.js';
import type { MerchantCredentials } from '../src/core/merchants.js';
import type { MobileMoneyRail } from '../src/rails/rail.js';
import { sandboxMobileMoney } from '../src/rails/mobile-money/index.js';

let seq = 0;

/** A CinetPay order (mobile money only) of 500 XOF; answers its id and its payment token. */
export async function cinetpayOrder(
  env: TestEnv,
  m: MerchantCredentials,
  prefix = 'MM',
): Promise<{ id: string; token: string }> {
  const tx = `${prefix}-${Date.now()}-${++seq}`;
  const r = await postJson(`${env.url}/v2/payment`, {
    apikey: m.apikey,
    site_id: m.siteId,
    transaction_id: tx,
    amount: 500,
    currency: 'XOF',
    description: 'Commande',
    notify_url: 'https://shop.example/notify',
    return_url: 'https://shop.example/return',
    channels: 'MOBILE_MONEY',
  });
  assert.equal(r.body.code, '201', JSON.stringify(r.body));
  const { rows } = await env.deps.db.query('SELECT id FROM orders WHERE merchant_trade_no = $1', [
    `cp:${m.siteId}:${tx}`,
  ]);
  return { id: rows[0].id, token: r.body.data.payment_token };
}

/** Posts a form of the hosted page like a browser would (no redirect following). */
export async function pageForm(
  baseUrl: string,
  token: string,
  action: string,
  fields: Record<string, string>,
): Promise<{ status: number; location: string | null }> {
  const res = await fetch(`${baseUrl}/payment/${token}/${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  await res.text();
  return { status: res.status, location: res.headers.get('location') };
}

export interface Snapshot {
  status: number;
  attempt: { state: string; failure: string | null; otp_attempts: number; operator_id: string | null } | undefined;
  /** Status changes of the order, in order. */
  events: number[];
  /** Order statuses of the webhook rows written for it. */
  hooks: number[];
  ledgerEntries: number;
}

/** The order, its attempt and every row its status changes write, read in one go. */
export async function snapshot(db: TestEnv['deps']['db'], orderId: string): Promise<Snapshot> {
  const o = await db.query('SELECT status FROM orders WHERE id = $1', [orderId]);
  const a = await db.query(
    'SELECT state, failure, otp_attempts, operator_id FROM mobile_money_payments WHERE order_id = $1',
    [orderId],
  );
  const ev = await db.query('SELECT to_status FROM order_events WHERE order_id = $1 ORDER BY id', [orderId]);
  const wh = await db.query('SELECT order_status FROM webhook_deliveries WHERE order_id = $1 ORDER BY id', [orderId]);
  const le = await db.query('SELECT count(*)::int AS n FROM journal_entries WHERE order_id = $1', [orderId]);
  return {
    status: o.rows[0].status,
    attempt: a.rows[0],
    events: ev.rows.map((r) => r.to_status),
    hooks: wh.rows.map((r) => r.order_status),
    ledgerEntries: le.rows[0].n,
  };
}

/** The sandbox connector with its calls recorded (and an optional hook after each OTP verdict). */
export function recordingRail(
  onOtpVerdict?: (otp: string, out: Awaited<ReturnType<MobileMoneyRail['submitOtp']>>) => void,
): MobileMoneyRail & { otps: string[]; initiations: string[] } {
  const otps: string[] = [];
  const initiations: string[] = [];
  return {
    ...sandboxMobileMoney,
    otps,
    initiations,
    async initiate(req) {
      initiations.push(req.orderId);
      return sandboxMobileMoney.initiate(req);
    },
    async submitOtp(a, otp, now) {
      otps.push(otp);
      const out = await sandboxMobileMoney.submitOtp(a, otp, now);
      onOtpVerdict?.(otp, out);
      return out;
    },
  };
}

/**
 * Makes the next matching row change fail inside its transaction, as a crash at that point would: a
 * BEFORE UPDATE trigger raises the first time its condition holds (a sequence counts, since it is not rolled
 * back with the failed transaction). Answers a function that removes the trigger.
 */
export async function crashOnce(
  db: TestEnv['deps']['db'],
  name: string,
  table: 'orders' | 'mobile_money_payments',
  when: string,
): Promise<() => Promise<void>> {
  await db.query(`CREATE SEQUENCE crash_${name}`);
  await db.query(`CREATE FUNCTION crash_${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('crash_${name}') = 1 THEN RAISE EXCEPTION 'simulated crash (${name})'; END IF;
      RETURN NEW;
    END $$`);
  await db.query(
    `CREATE TRIGGER crash_${name} BEFORE UPDATE ON ${table} FOR EACH ROW WHEN (${when})
    EXECUTE FUNCTION crash_${name}()`,
  );
  return async () => {
    await db.query(`DROP TRIGGER crash_${name} ON ${table}`);
    await db.query(`DROP FUNCTION crash_${name}()`);
    await db.query(`DROP SEQUENCE crash_${name}`);
  };
}

/**
 * Attempts whose state disagrees with their order's: confirming ⇔ PROCESSING, succeeded ⇒ COMPLETED, an
 * initiating attempt never on a PROCESSING order. Empty when every transaction wrote both or neither.
 */
export async function inconsistentAttempts(db: TestEnv['deps']['db']): Promise<string[]> {
  const { rows } = await db.query<{ what: string }>(
    `SELECT a.order_id || ': attempt ' || a.state || ', order ' || o.status AS what
       FROM mobile_money_payments a JOIN orders o ON o.id = a.order_id
      WHERE (a.state = 'confirming') <> (o.status = 11)
         OR (a.state = 'succeeded' AND o.status <> 14)
         OR (a.state = 'failed' AND o.status NOT IN (14, 15))`,
  );
  return rows.map((r) => r.what);
}
