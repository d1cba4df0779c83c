// Chain deposits seen by a watcher: record, confirm, take back on re-org. Every order status change goes
// through payments.ts (ledger entry and webhook in its transaction).
//
// Lifecycle and policy (README "Crypto deposits (EVM)"):
// - seen: recorded; a deposit to an order's own address moves the order 0 → 11 PROCESSING (webhook).
// - confirmed (>= TENDER_CONFIRMATIONS_<NET> blocks, block hash re-checked): the order completes (14)
//   with paidAmount = what was actually paid, hash and network; the ledger is credited.
// - re-org before confirmation: the deposit becomes `reorged` and is never credited. Its order stays at
//   11: the state machine has no way back to 0, and closing it would be wrong because the same
//   transaction is usually mined again (it is then recorded as seen again and confirmed as usual) or the
//   customer pays again. An order left at 11 without a live deposit is visible in chain_deposits.
// - Under/overpayment (TENDER_PAYMENT_TOLERANCE_BPS, default 0): paid >= amount × (1 − tolerance)
//   completes with paidAmount = the amount paid (fee on what was paid), extInfo notes the difference;
//   paid below that closes the order (15, remark `underpaid`, extInfo {"expected","received"}) and the
//   amount received is credited as a no-order deposit: money that arrived is never lost.
// - No-order deposits (a user's static address; an asset the order was not for; a second payment to an
//   order that is already final): an order row of dialect `deposit` with merchantTradeNo
//   `deposit:<network>:<txhash>:<logIndex>` is created for it and completed, so the merchant's ledger is
//   credited and the webhook fires.
// Each step (record, confirm, take back) is one transaction and idempotent (unique deposit key, unique
// merchantTradeNo, compare-and-set statuses), so a watcher that dies between two steps redoes the rest on
// its next pass.
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { NetworkConfig } from '../rails/crypto/networks.js';
import { OrderStatus } from '../domain/order-status.js';
import { TenderError } from '../domain/errors.js';
import { formatMinor } from '../domain/money.js';
import { inTx } from '../store/db.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
import { findOrder } from '../store/orders-repo.js';
import { findMerchant } from '../store/merchants-repo.js';
import {
  depositById,
  findAddress,
  setDepositStatus,
  upsertSeen,
  type ChainDepositRow,
} from '../store/deposits-repo.js';
import { chainToLedger, paymentVerdict } from '../rails/evm/transform.js';
import { closeOrderInTx, completeOrderInTx, markProcessing } from './payments.js';
import { createOrderInTx } from './orders.js';

export interface SeenDeposit {
  network: NetworkConfig;
  txHash: string;
  /** -1 for a native transfer. */
  logIndex: number;
  blockNumber: bigint;
  blockHash: string;
  /** The deposit address exactly as stored (checksummed for EVM). */
  address: string;
  /** Ledger currency code: USDT, ETH, BNB... */
  asset: string;
  chainAmount: bigint;
}

/** work_failures kind of a deposit whose crediting failed (workers/chain-watcher.ts). */
export const DEPOSIT_CONFIRM = 'deposit-confirm';

export const railOf = (n: Pick<NetworkConfig, 'family' | 'key'>) => `${n.family}:${n.key.toLowerCase()}`;

function ignoreRace(e: unknown): void {
  if (e instanceof TenderError && e.code === 'ILLEGAL_TRANSITION') return;
  throw e;
}

/** Records a deposit seen on chain; returns it when new (or back after a re-org), else undefined. */
export async function recordSeenDeposit(deps: Deps, d: SeenDeposit): Promise<ChainDepositRow | undefined> {
  const amount = chainToLedger(deps.assets, d.asset, d.network.name, d.chainAmount);
  const row = await inTx(deps.db, async (tx) => {
    const owner = await findAddress(tx, d.network.family, d.address);
    if (!owner) return undefined;
    return upsertSeen(tx, {
      network: d.network.name,
      txHash: d.txHash,
      logIndex: d.logIndex,
      blockNumber: d.blockNumber,
      blockHash: d.blockHash,
      address: d.address,
      asset: d.asset,
      chainAmount: d.chainAmount,
      amount,
      orderId: owner.order_id,
      merchantId: owner.merchant_id,
      at: deps.clock.now(),
    });
  });
  if (!row) return undefined;
  deps.log.info(
    {
      network: row.network,
      txHash: row.tx_hash,
      logIndex: row.log_index,
      block: row.block_number,
      asset: row.asset,
      amount: row.amount,
    },
    'deposit seen',
  );
  if (row.order_id) {
    const order = await findOrder(deps.db, { by: 'id', id: row.order_id });
    if (order && order.status === OrderStatus.PENDING && order.currency === row.asset) {
      // Only a hint for the merchant (the deposit is recorded; confirmation credits it): a failure here is
      // logged, never allowed to stop the scan of the chain for everyone else.
      await markProcessing(
        deps,
        order.id,
        { rail: railOf(d.network), network: d.network.name, hash: d.txHash, paidAmount: amount },
        'deposit seen',
      )
        .catch(ignoreRace)
        .catch((e: unknown) => {
          if (isDatabaseUnavailable(e)) throw e;
          deps.log.error({ err: e, orderId: order.id }, 'order not marked processing for a seen deposit');
        });
    }
  }
  return row;
}

/** A seen deposit whose block is no longer canonical: taken back, never credited. */
export async function reorgDeposit(deps: Deps, depositId: string): Promise<boolean> {
  const done = await inTx(deps.db, (tx) => setDepositStatus(tx, depositId, 'seen', 'reorged', null, deps.clock.now()));
  if (done) deps.log.warn({ depositId }, 'deposit taken back: its block left the canonical chain');
  return done;
}

const amountJson = (deps: Deps, asset: string, v: bigint) => formatMinor(v, deps.assets.exponent(asset));

/**
 * Credits a confirmed deposit to its order, or as a no-order deposit: the order's status change (ledger
 * entry, webhook), a no-order deposit's own order and the deposit's `confirmed` mark are one transaction,
 * under the deposit's row lock. Idempotent: a deposit no longer `seen` is left alone.
 */
export async function confirmDeposit(
  deps: Deps,
  network: NetworkConfig,
  depositId: string,
): Promise<Order | undefined> {
  return inTx(deps.db, async (tx) => {
    const dep = await depositById(tx, depositId, true);
    if (dep?.status !== 'seen') return undefined;
    const amount = BigInt(dep.amount);
    const rail = railOf(network);
    const confirmed = async (o: Order) => {
      await setDepositStatus(tx, dep.id, 'seen', 'confirmed', o.id, deps.clock.now());
      return o;
    };
    const target = dep.order_id ? await findOrder(tx, { by: 'id', id: dep.order_id }, undefined, true) : undefined;
    let extInfo: string | undefined;

    if (target && target.dialect !== 'deposit' && target.currency === dep.asset) {
      // An order this deposit completed before crediting and marking became one transaction (older versions
      // did them apart) — unless another deposit completed it: an EVM/TRON transaction can carry two equal
      // transfers to one address (same hash, same amount), and the second one is then a no-order deposit.
      if (
        target.status === OrderStatus.COMPLETED &&
        target.hash === dep.tx_hash &&
        target.paidAmount === amount &&
        (
          await tx.query(`SELECT 1 FROM chain_deposits WHERE order_id = $1 AND status = 'confirmed' AND id <> $2`, [
            target.id,
            dep.id,
          ])
        ).rowCount === 0
      ) {
        return confirmed(target);
      }
      if (target.status === OrderStatus.PENDING || target.status === OrderStatus.PROCESSING) {
        const verdict = paymentVerdict(target.amount, amount, deps.config.crypto.toleranceBps);
        const expected = amountJson(deps, dep.asset, target.amount);
        const received = amountJson(deps, dep.asset, amount);
        if (verdict !== 'underpaid') {
          const note =
            verdict === 'over'
              ? { expected, received, overpaid: amountJson(deps, dep.asset, amount - target.amount) }
              : verdict === 'under-within-tolerance'
                ? { expected, received, underpaid: amountJson(deps, dep.asset, target.amount - amount) }
                : undefined;
          const settlement = {
            rail,
            paidAmount: amount,
            network: network.name,
            hash: dep.tx_hash,
            extInfo: note ? JSON.stringify(note) : undefined,
          };
          return confirmed(await completeOrderInTx(tx, deps, target.id, settlement, 'deposit confirmed'));
        }
        await closeOrderInTx(tx, deps, target.id, 'underpaid', 'underpaid', JSON.stringify({ expected, received }));
        extInfo = JSON.stringify({ underpaidOrderId: target.id });
      }
    }
    if (target && target.status === OrderStatus.CLOSED && target.remark === 'underpaid' && !extInfo)
      extInfo = JSON.stringify({ underpaidOrderId: target.id });

    // No-order deposit: its own order row, completed at once.
    const owner = await findAddress(tx, network.family, dep.address);
    const merchant = await findMerchant(tx, dep.merchant_id);
    if (!merchant) throw new TenderError('INTERNAL', `merchant ${dep.merchant_id} of deposit ${dep.id} not found`);
    const merchantTradeNo = `deposit:${dep.network}:${dep.tx_hash}:${dep.log_index}`;
    const amountText = amountJson(deps, dep.asset, amount);
    const { order } = await createOrderInTx(tx, deps, merchant, {
      dialect: 'deposit',
      received: true,
      merchantTradeNo,
      userId: owner?.user_id ?? target?.userId ?? null,
      currency: dep.asset,
      amount,
      amountText,
      network: network.name,
      fingerprint: { merchantTradeNo, amount: amountText, currency: dep.asset },
    });
    const done =
      order.status === OrderStatus.COMPLETED
        ? order
        : await completeOrderInTx(
            tx,
            deps,
            order.id,
            { rail, paidAmount: amount, network: network.name, hash: dep.tx_hash, remark: 'no-order deposit', extInfo },
            'deposit confirmed',
          );
    deps.log.info({ depositId: dep.id, orderId: done.id }, 'no-order deposit credited');
    return confirmed(done);
  });
}
