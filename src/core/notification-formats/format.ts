// What the outbox needs from a notification format: when it notifies, and the fields it carries. The
// request (signature, headers) and the acknowledgement rule are pure and live in domain/webhook-payload.ts.
import type pg from 'pg';
import type { Deps } from '../deps.js';
import type { Order } from '../../domain/order.js';
import type { WebhookFormat } from '../../domain/webhook-payload.js';

export type NotificationPayload = Record<string, string | number>;

export interface NotificationFormat {
  readonly id: WebhookFormat;
  /** Orders of this dialect always notify in this format, whatever the merchant's webhook setting. */
  readonly dialect?: string;
  notifies(status: number): boolean;
  /**
   * The fields of a notification of `order` as it is now, read in the transaction of the status change.
   * Must not throw for an order of its dialect whose optional rows are missing: a notification that
   * cannot be built would block the status change, and with it the money.
   */
  payload(tx: pg.PoolClient, deps: Deps, order: Order): Promise<NotificationPayload>;
  /** The key a delivery is signed with, read at delivery time so a rotated key takes effect at once. */
  signingKey(deps: Deps, delivery: { merchantId: string; payload: NotificationPayload }): Promise<string>;
}
