// The payout sender's steps (issue 11), in the order src/rails/payout/payout-rail.ts prescribes:
//   reconcile: every live attempt is asked for its verdict by hash BEFORE anything new is signed;
//   send:      under the network's row lock, reserve (nonce, outpoints), SIGN, store the attempt, commit;
//              only then BROADCAST (the same bytes again after any crash or timeout);
//   verdict:   0 → 11 once the chain has it, → 14 at the network's depth, → 15 when it failed for good.
// A new transaction is signed for a payout only when the old one can never land and never ran (state
// 'dropped'): its EVM nonce was used by another transaction, it expired unconfirmed (TRON), or another
// confirmed transaction spent its input (Bitcoin). A FAILED transaction (reverted, a TRON contract failure,
// refused for good) closes the payout at 15 and releases the hold: whatever failed it would likely fail a copy
// too, and the merchant can withdraw again. Each payout is handled on its own: a failure is logged and retried
// later, never blocking others.
import type { Deps } from './deps.js';
import { inTx } from '../store/db.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
import type { PayoutRoute } from '../rails/payout/registry.js';
import { HotWalletShortError } from '../rails/payout/payout-rail.js';
import {
  casAttempt,
  findPayout,
  inFlightAmount,
  insertAttempt,
  liveAttempts,
  lockNetwork,
  lockReadyPayout,
  readyPayoutIds,
  setNextNonce,
  setPayoutStage,
  type AttemptRow,
} from '../store/payouts-repo.js';
import { payoutBroadcastInTx, payoutClosedInTx, payoutConfirmedInTx } from './payout-transitions.js';

/** How long a payout waits before the sender looks again after a short hot wallet or a rail error. */
const RETRY_MS = 5_000;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const LIVE = ['signed', 'broadcast'] as const;

/** Sends the stored bytes and records that the chain has them: attempt 'broadcast', order 0 → 11. */
async function broadcastAttempt(deps: Deps, r: PayoutRoute, a: AttemptRow): Promise<void> {
  const t = deps.config.payout.railTimeoutMs;
  await withTimeout(r.rail.broadcast(r.network, { txHash: a.tx_hash, raw: a.raw, detail: a.detail }), t, 'broadcast');
  await markSent(deps, r, a);
}

async function markSent(deps: Deps, r: PayoutRoute, a: AttemptRow): Promise<void> {
  await inTx(deps.db, async (tx) => {
    await casAttempt(tx, a.id, ['signed'], 'broadcast', deps.clock.now());
    await payoutBroadcastInTx(tx, deps, a.payout_id, a.tx_hash, r.wire);
  });
}

/** The attempt can never land and never ran: the payout is ready again and the next pass signs it anew. */
async function dropAttempt(deps: Deps, a: AttemptRow, reason: string): Promise<void> {
  const now = deps.clock.now();
  await inTx(deps.db, async (tx) => {
    if (!(await casAttempt(tx, a.id, LIVE, 'dropped', now, reason))) return;
    await setPayoutStage(tx, a.payout_id, 'ready', 'resend', now);
  });
  deps.log.warn({ orderId: a.payout_id, hash: a.tx_hash, reason }, 'payout transaction dropped; signing anew');
}

/** One live attempt: ask the chain, then move the attempt and its payout accordingly. */
export async function reconcileAttempt(deps: Deps, r: PayoutRoute, a: AttemptRow): Promise<void> {
  const t = deps.config.payout.railTimeoutMs;
  const v = await withTimeout(r.rail.verdict(r.network, a.tx_hash), t, 'verdict');
  const now = deps.clock.now();
  switch (v.state) {
    case 'unknown': {
      // Never seen. If the hot wallet's nonce has moved past this attempt's, another transaction took it and
      // this one can never land: sign anew. Otherwise the same bytes are sent again (they can land only once).
      if (a.nonce !== null && r.rail.chainNonce) {
        const chainNonce = await withTimeout(r.rail.chainNonce(r.network), t, 'chain nonce');
        if (chainNonce > BigInt(a.nonce)) {
          // Several worker processes reconcile the same network (issue 14): another one may have broadcast these
          // very bytes, and the chain taken them, between our verdict and the nonce read. Only a hash still
          // unknown AFTER the nonce moved proves another transaction took it; otherwise follow the new verdict.
          const again = await withTimeout(r.rail.verdict(r.network, a.tx_hash), t, 'verdict');
          if (again.state === 'unknown') return dropAttempt(deps, a, 'nonce used by another transaction');
          return reconcileAttempt(deps, r, a);
        }
      }
      await broadcastAttempt(deps, r, a);
      return;
    }
    case 'dropped':
      return dropAttempt(deps, a, v.reason);
    case 'pending':
      if (a.state === 'signed') await markSent(deps, r, a);
      return;
    case 'included':
      if (a.state === 'signed') await markSent(deps, r, a);
      if (v.confirmations < r.depth) return;
      await inTx(deps.db, async (tx) => {
        if (!(await casAttempt(tx, a.id, LIVE, 'confirmed', now))) return;
        await payoutBroadcastInTx(tx, deps, a.payout_id, a.tx_hash, r.wire); // 11 first, for cpay-legacy
        await payoutConfirmedInTx(tx, deps, a.payout_id, a.tx_hash, r.wire);
      });
      return;
    case 'failed':
      await inTx(deps.db, async (tx) => {
        if (!(await casAttempt(tx, a.id, LIVE, 'failed', now, v.reason))) return;
        await payoutClosedInTx(tx, deps, a.payout_id, `payout failed: ${v.reason}`, 'payout failed');
      });
      return;
  }
}

/** Every live attempt of the route's network, each on its own. Returns how many it looked at. */
export async function reconcileLive(deps: Deps, r: PayoutRoute): Promise<number> {
  const attempts = await liveAttempts(deps.db, r.network);
  for (const a of attempts) {
    try {
      await reconcileAttempt(deps, r, a);
    } catch (e) {
      if (isDatabaseUnavailable(e)) throw e;
      deps.log.warn({ err: e, orderId: a.payout_id, hash: a.tx_hash }, 'payout reconcile failed; retried later');
    }
  }
  return attempts.length;
}

/**
 * Signs and stores one ready payout under the network's lock, then broadcasts it. A hot wallet that cannot
 * cover it leaves it waiting in status 0 with the reason hot_wallet_short.
 */
export async function sendPayout(deps: Deps, r: PayoutRoute, orderId: string): Promise<'sent' | 'waiting' | 'skipped'> {
  const t = deps.config.payout.railTimeoutMs;
  const now = deps.clock.now();
  const stored = await inTx(deps.db, async (tx) => {
    const kept = await lockNetwork(tx, r.network);
    const p = await lockReadyPayout(tx, orderId, now);
    if (!p) return undefined; // sent, rejected or held by another sender meanwhile
    const amount = BigInt(p.chain_amount);
    const balance = await withTimeout(r.rail.hotWalletBalance(r.network, p.asset), t, 'hot wallet balance');
    if (balance - (await inFlightAmount(tx, r.network, p.asset)) < amount) {
      await setPayoutStage(tx, orderId, 'ready', 'hot_wallet_short', now, new Date(now.getTime() + RETRY_MS));
      return 'short' as const;
    }
    let nonce = kept;
    if (r.rail.chainNonce) {
      const chain = await withTimeout(r.rail.chainNonce(r.network), t, 'chain nonce');
      if (nonce === null || chain > nonce) nonce = chain; // the wallet was used outside Tender
    }
    const reserved = new Set<string>();
    for (const a of await liveAttempts(tx, r.network))
      for (const o of (a.detail.spent ?? '').split(',').filter(Boolean)) reserved.add(o);
    const s = await withTimeout(
      r.rail.sign(
        { payoutId: p.order_id, network: r.network, asset: p.asset, to: p.to_address, amount },
        { nonce, reservedOutpoints: reserved },
      ),
      t,
      'sign',
    );
    const a = await insertAttempt(tx, {
      payoutId: p.order_id,
      rail: r.rail.id,
      network: r.network,
      asset: p.asset,
      txHash: s.txHash,
      raw: s.raw,
      detail: s.detail,
      nonce,
      chainAmount: amount,
      at: now,
    });
    if (nonce !== null) await setNextNonce(tx, r.network, nonce + 1n);
    await setPayoutStage(tx, orderId, 'in_flight', null, now);
    return a;
  });
  if (stored === undefined) return 'skipped';
  if (stored === 'short') return 'waiting';
  try {
    await broadcastAttempt(deps, r, stored);
  } catch (e) {
    if (isDatabaseUnavailable(e)) throw e;
    // Stored and maybe sent: the next reconcile asks the chain by hash and sends the same bytes if needed.
    deps.log.warn({ err: e, orderId, hash: stored.tx_hash }, 'payout broadcast failed; retried by hash');
  }
  return 'sent';
}

/** Ready payouts of the network, each on its own; a rail error puts one aside for a while. */
export async function sendReady(deps: Deps, r: PayoutRoute, limit = 20): Promise<number> {
  const ids = await readyPayoutIds(deps.db, r.network, deps.clock.now(), limit);
  let sent = 0;
  for (const id of ids) {
    try {
      if ((await sendPayout(deps, r, id)) === 'sent') sent++;
    } catch (e) {
      if (isDatabaseUnavailable(e)) throw e;
      // A rail that finds the hot wallet short while building (the fee on top, TRON energy, Bitcoin inputs)
      // says so with HotWalletShortError: the payout waits like one the balance check held back.
      const short = e instanceof HotWalletShortError;
      if (short) deps.log.info({ orderId: id, reason: e.message }, 'payout waits: hot wallet short');
      else deps.log.warn({ err: e, orderId: id }, 'payout send failed; retried later');
      const now = deps.clock.now();
      await inTx(deps.db, async (tx) => {
        const p = await findPayout(tx, id, 'update');
        const reason = short ? 'hot_wallet_short' : 'rail_error';
        if (p?.stage === 'ready')
          await setPayoutStage(tx, id, 'ready', reason, now, new Date(now.getTime() + RETRY_MS));
      });
    }
  }
  return sent;
}
