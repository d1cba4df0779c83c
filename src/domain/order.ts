// The order as the core sees it, independent of any dialect.
import type { OrderStatus } from './order-status.js';

export interface Order {
  id: string;
  merchantId: string;
  merchantTradeNo: string;
  dialect: string;
  userId: string | null;
  currency: string;
  amount: bigint;
  amountText: string;
  status: OrderStatus;
  paidAmount: bigint | null;
  fee: bigint | null;
  receivedAmount: bigint | null;
  rail: string | null;
  network: string | null;
  hash: string | null;
  remark: string;
  extInfo: string;
  callbackUrl: string | null;
  successUrl: string | null;
  failUrl: string | null;
  payCode: string;
  watchCode: string;
  createTimeMs: string | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  /** 'payin' unless a payout (migration 013); absent where the row was read without it. */
  kind?: 'payin' | 'payout' | 'fiat_payout';
  /** The card reserve of a completed card order (migration 020, spec M7 "Money"); null otherwise. */
  pledgeAmount?: bigint | null;
}
