// Group insert of new orders: while a few insert statements are in flight, the orders that arrive are
// queued and written together by the next statement (one round trip, one plan, one commit for many
// orders). At low load every order goes out alone at once, so no latency is added. Each order keeps its
// own outcome: inserted, or undefined when its (merchant, merchantTradeNo) already exists.
import type { Db } from './db.js';
import { ORDER_COLUMNS, toOrder, type NewOrder, type OrderRow } from './orders-repo.js';
import type { Order } from '../domain/order.js';

type Result = (Order & { requestDigest: string }) | undefined;
interface Pending {
  o: NewOrder;
  resolve(r: Result): void;
  reject(e: unknown): void;
}

const INSERT_BATCH_SQL = `WITH input AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::numeric[],
      $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[],
      $17::timestamptz[], $18::timestamptz[])
      WITH ORDINALITY AS t(id, merchant_id, merchant_trade_no, dialect, request_digest, user_id, currency, amount,
      amount_text,
        network, callback_url, success_url, fail_url, pay_code, watch_code, create_time_ms, expires_at, created_at,
        ord)),
  ins AS (
    INSERT INTO orders (id, merchant_id, merchant_trade_no, dialect, request_digest, user_id, currency, amount,
    amount_text,
      network, callback_url, success_url, fail_url, pay_code, watch_code, create_time_ms, expires_at, created_at,
      updated_at)
    SELECT id, merchant_id, merchant_trade_no, dialect, request_digest, user_id, currency, amount, amount_text,
      network, callback_url, success_url, fail_url, pay_code, watch_code, create_time_ms, expires_at, created_at,
      created_at
    FROM input ORDER BY ord
    ON CONFLICT (merchant_id, merchant_trade_no, kind) DO NOTHING
    RETURNING ${ORDER_COLUMNS}),
  ev AS (INSERT INTO order_events (order_id, from_status, to_status, reason, at) SELECT id, NULL, 0, 'created',
  created_at FROM ins)
  SELECT * FROM ins`;

const columns = (batch: Pending[]) => {
  const col = <T>(f: (o: NewOrder) => T) => batch.map((p) => f(p.o));
  return [
    col((o) => o.id),
    col((o) => o.merchantId),
    col((o) => o.merchantTradeNo),
    col((o) => o.dialect),
    col((o) => o.requestDigest),
    col((o) => o.userId),
    col((o) => o.currency),
    col((o) => o.amount.toString()),
    col((o) => o.amountText),
    col((o) => o.network),
    col((o) => o.callbackUrl),
    col((o) => o.successUrl),
    col((o) => o.failUrl),
    col((o) => o.payCode),
    col((o) => o.watchCode),
    col((o) => o.createTimeMs),
    col((o) => o.expiresAt),
    col((o) => o.at),
  ];
};

export class OrderInsertBatcher {
  readonly #db: Db;
  readonly #queue: Pending[] = [];
  #inFlight = 0;
  constructor(
    db: Db,
    readonly maxInFlight = 4,
    readonly maxBatch = 100,
  ) {
    this.#db = db;
  }

  insert(o: NewOrder): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#queue.push({ o, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatch);
      this.#inFlight++;
      void this.#flush(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    try {
      const { rows } = await this.#db.query<OrderRow>({
        name: 'tender_insert_orders_batch_v1',
        text: INSERT_BATCH_SQL,
        values: columns(batch),
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const p of batch) {
        const r = byId.get(p.o.id);
        p.resolve(r ? toOrder(r) : undefined);
      }
    } catch (e) {
      // One bad row must not fail its neighbours: retry them one by one so only the culprit sees the error.
      if (batch.length === 1) {
        batch[0]!.reject(e);
        return;
      }
      await Promise.all(batch.map((p) => this.#flush([p])));
    }
  }
}

const batchers = new WeakMap<Db, OrderInsertBatcher>();

/** Inserts a new order (and its creation event) through the pool's shared batcher. */
export function insertOrderBatched(db: Db, o: NewOrder): Promise<Result> {
  let b = batchers.get(db);
  if (!b) {
    b = new OrderInsertBatcher(db);
    batchers.set(db, b);
  }
  return b.insert(o);
}
