// POST /openapi/v1/createFiatPayoutOrder (spec M2): fee, approval, freeze of amount + fee, the order at status 11,
// its payouts row and the sealed destination account, in ONE transaction. The same merchantTradeNo with the same
// fields answers the same payout; other fields are DUPLICATE_TRADE_NO. Nothing moves on any refusal.
import { createHash } from 'node:crypto';
import type { Deps } from './deps.js';
import type { Order } from '../domain/order.js';
import type { MerchantRow } from '../store/merchants-repo.js';
import type { FiatPayoutRequest } from '../domain/fiat-payout-request.js';
import { fiatPayoutFingerprint } from '../domain/fiat-payout-request.js';
import { TenderError } from '../domain/errors.js';
import { payoutFreezeEntry } from '../domain/ledger.js';
import { formatMinor } from '../domain/money.js';
import { inTx } from '../store/db.js';
import { findOrder } from '../store/orders-repo.js';
import { postEntry } from '../store/ledger-repo.js';
import { findPayout, type PayoutRow } from '../store/payouts-repo.js';
import { insertFiatPayoutOrder } from '../store/fiat-payouts-repo.js';
import { FIAT_NETWORK, fiatPayoutRailIdFor } from '../rails/fiat-payout/registry.js';
import { approvalsNeeded, assertCovered, payoutFee } from './withdraw.js';
import { assertCallbackTarget } from './callback-url.js';
import { enqueueOrderWebhook } from './webhooks.js';

/** The HMAC purpose of the account digest in the idempotency fingerprint (deps.box.mac). */
export const ACCOUNT_MAC_PURPOSE = 'fiat-payout-account';
/** Payouts do not expire; the column wants a time, so a far one. */
const NEVER_MS = 100 * 365 * 24 * 3600 * 1000;

function digest(fp: Record<string, string | undefined>): string {
  const canonical = JSON.stringify(
    Object.keys(fp)
      .sort()
      .map((k) => [k, fp[k] ?? '']),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export interface AcceptedFiatPayout {
  order: Order;
  payout: PayoutRow;
}

export async function acceptFiatPayout(
  deps: Deps,
  merchant: MerchantRow,
  req: FiatPayoutRequest,
  createTimeMs: string,
): Promise<AcceptedFiatPayout> {
  const channel = req.account.channel;
  const network = FIAT_NETWORK[channel];
  const rail = fiatPayoutRailIdFor(deps, channel);
  if (!rail) throw new TenderError('PAYOUT_UNAVAILABLE', `payoutChannel ${channel} payouts are not available here`);
  if (req.callbackUrl) assertCallbackTarget(deps, req.callbackUrl, 'callbackURL');
  const account = req.account.channel === 1 ? req.account.key : req.account.card;
  // The account enters the digest only keyed (deps.box.mac): a plain hash of a CPF or a card number is reversible.
  const requestDigest = digest(fiatPayoutFingerprint(req, (a) => deps.box.mac(ACCOUNT_MAC_PURPOSE, a)));
  const now = deps.clock.now();
  return inTx(deps.db, async (tx) => {
    const amount = req.amount;
    // spec M2: `amount` is what the user receives; the fee (fixed + bps of that amount) comes on top.
    const fee = await payoutFee(tx, deps, merchant.id, req.currency, { key: network }, amount);
    const total = amount + fee;
    deps.assets.assertWithinMax(req.currency, total, 'amount');
    const order = await insertFiatPayoutOrder(
      tx,
      {
        id: deps.ids.orderId(now),
        merchantId: merchant.id,
        merchantTradeNo: req.merchantTradeNo,
        dialect: 'openapi',
        requestDigest,
        userId: req.userId,
        currency: req.currency,
        amount: total,
        amountText: formatMinor(total, deps.assets.ledger(req.currency).exponent),
        network: null,
        callbackUrl: req.callbackUrl ?? null,
        successUrl: req.successUrl ?? null,
        failUrl: req.failUrl ?? null,
        remark: req.remark ?? '',
        extInfo: req.extInfo ?? '',
        payCode: deps.ids.token(18),
        watchCode: deps.ids.token(18),
        createTimeMs,
        expiresAt: new Date(now.getTime() + NEVER_MS),
        at: now,
      },
      {
        rail,
        network,
        asset: req.currency,
        toAddress: account.masked(),
        total,
        fee,
        received: amount,
        chainAmount: amount,
        approvalsNeeded: await approvalsNeeded(tx, deps, merchant.id, req.currency, total),
      },
      {
        channel,
        accountType: req.account.channel === 1 ? req.account.key.type : null,
        sealed: deps.box.seal(account.reveal()),
        masked: account.masked(),
        bankCode: req.account.channel === 2 ? (req.account.bankCode ?? null) : null,
        country: req.country,
      },
    );
    if (!order) {
      // A retry: the same fields answer the payout as it is now; nothing is frozen again.
      const existing = await findOrder(
        tx,
        { by: 'tradeNo', merchantTradeNo: req.merchantTradeNo, kind: 'fiat_payout' },
        merchant.id,
      );
      if (!existing) throw new TenderError('INTERNAL', 'payout vanished after a conflicting insert');
      if (existing.requestDigest !== requestDigest) throw new TenderError('DUPLICATE_TRADE_NO');
      return { order: existing, payout: (await findPayout(tx, existing.id))! };
    }
    await assertCovered(tx, merchant.id, req.currency, total);
    await postEntry(
      tx,
      payoutFreezeEntry({ orderId: order.id, merchantId: merchant.id, currency: req.currency, total }),
      now,
    );
    // cpay-legacy notifies PROCESSING (11): a fiat payout is at 11 from its acceptance.
    await enqueueOrderWebhook(tx, deps, order, merchant);
    deps.log.info({ orderId: order.id, merchantId: merchant.id, channel }, 'fiat payout accepted');
    return { order, payout: (await findPayout(tx, order.id))! };
  });
}
