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

export function cpayOrderFields(o: Order, assets: AssetTable): CpayOrderFields {
  const row = assets.ledger(o.currency);
  const fmt = (v: bigint | null) => formatMinor(v ?? 0n, row.exponent);
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
    pledgeAmount: '0',
    serviceFee: fmt(o.fee),
    fee: fmt(o.fee),
    network: o.network ?? '',
    hash: o.hash ?? '',
    remark: o.remark,
    extInfo: o.extInfo,
    createTime: o.createdAt.getTime(),
  };
}
