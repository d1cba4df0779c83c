// The order state machine: one table, consulted by every change. Codes are the C-Pay wire values.
import { TenderError } from './errors.js';

export const OrderStatus = { PENDING: 0, PROCESSING: 11, COMPLETED: 14, CLOSED: 15 } as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  0: [11, 14, 15],
  11: [14, 15],
  14: [],
  15: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new TenderError('ILLEGAL_TRANSITION', `order cannot go from ${from} to ${to}`);
}

export const isFinal = (s: OrderStatus): boolean => TRANSITIONS[s].length === 0;

export function asOrderStatus(n: number): OrderStatus {
  if (n === 0 || n === 11 || n === 14 || n === 15) return n;
  throw new Error(`not an order status: ${n}`);
}
