// The C-Pay view of an order, carrying both field generations (shared/spec/cpay.md) with consistent values.
import type { Order } from './order.js';
import type { AssetTable } from './assets.js';
import { formatMinor } from './money.js';

export interface CpayOrderFields {
  orderId: string;
  merchantId: number;
  merchantTradeNo: string;
  merchantUserId: string;
  orderStatus: number;
  status: string;
  currency: string;
  cryptoCurrency: string;
  orderAmount: string;
  actualAmount: string;
  receivedAmount: string;
  pledgeAmount: string;
  serviceFee: string;
  fee: string;
  network: string;
  hash: string;
  remark: string;
  extInfo: string;
  createTime: number;
}

/**
 * Amounts in the CPay reference's style: "100.00", "0.00", "22.33", "21.77175" (at least two decimals,
 * more when the amount needs them). Never a bare "0": PHP's `!empty()` recipe would drop that field from
 * the signed text, so a webhook carrying it could not verify under every recipe (shared/spec/README.md).
 */
export function cpayAmount(amount: bigint, exponent: number): string {
  const s = formatMinor(amount, exponent);
  const dot = s.indexOf('.');
  if (dot < 0) return `${s}.00`;
  return s.length - dot - 1 < 2 ? `${s}0` : s;
}

export function cpayOrderFields(o: Order, assets: AssetTable): CpayOrderFields {
  const row = assets.ledger(o.currency);
  const fmt = (v: bigint | null) => cpayAmount(v ?? 0n, row.exponent);
  return {
    orderId: o.id,
    merchantId: Number(o.merchantId),
    merchantTradeNo: o.merchantTradeNo,
    merchantUserId: o.userId ?? '',
    orderStatus: o.status,
    status: String(o.status),
    currency: o.currency,
    cryptoCurrency: row.kind === 'crypto' ? o.currency : '',
    orderAmount: fmt(o.amount),
    actualAmount: fmt(o.paidAmount),
    receivedAmount: fmt(o.receivedAmount),
    // The card reserve ("margin amount, only for credit card"); "0.00" for every other order.
    pledgeAmount: fmt(o.pledgeAmount ?? null),
    serviceFee: fmt(o.fee),
    fee: fmt(o.fee),
    network: o.network ?? '',
    hash: o.hash ?? '',
    remark: o.remark,
    extInfo: o.extInfo,
    createTime: o.createdAt.getTime(),
  };
}
