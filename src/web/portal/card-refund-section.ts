// The order page's card section (issue 13 part 3): refunds, chargebacks and the reserve of a card order, and the
// merchant's refund form. The form carries a refund key made when the page was drawn, so a double submit or a
// resubmitted form asks for the same refund once (the key is the refund's idempotency key).
import { esc } from '../html.js';
import type { CardMoney } from '../../core/card-money-view.js';

export function renderCardRefundSection(m: CardMoney, csrf: string, refundKey: string): string {
  const id = encodeURIComponent(m.orderId);
  const rows = m.refunds
    .map(
      (r) =>
        `<tr><td>${esc(r.refundId)}</td><td class="num">${esc(r.amount)} ${esc(r.currency)}</td>` +
        `<td>${esc(r.state)}${r.failure ? ` (${esc(r.failure)})` : ''}</td><td>${esc(r.requestedBy)}</td>` +
        `<td>${esc(r.reason || '—')}</td></tr>`,
    )
    .join('');
  const cbs = m.chargebacks
    .map(
      (c) =>
        `<tr><td>${esc(c.chargebackId)}</td><td class="num">${esc(c.amount)} ${esc(c.currency)}</td>` +
        `<td class="num">${esc(c.fromReserve)}</td><td class="num">${esc(c.fromAvailable)}</td>` +
        `<td>${esc(c.reason || '—')}</td></tr>`,
    )
    .join('');
  const reserve = m.reserve
    ? `<p>Reserve: ${esc(m.reserve.amount)} ${esc(m.currency)}, ` +
      (m.reserve.releasedAt
        ? `released ${esc(m.reserve.releasedAt)}.`
        : `held until ${esc(m.reserve.releaseAt)} (chargebacks take from it first).`) +
      '</p>'
    : '';
  const form =
    m.refundable !== '0.00' && m.refundable !== '0'
      ? `<form method="post" action="/payments/${id}/refund" aria-label="Refund this payment">
<input type="hidden" name="_csrf" value="${esc(csrf)}">
<input type="hidden" name="refundKey" value="${esc(refundKey)}">
<div class="field"><label for="refund-amount">Amount to refund
(${esc(m.currency)}, at most ${esc(m.refundable)})</label>
<input id="refund-amount" name="amount" inputmode="decimal" required value="${esc(m.refundable)}"></div>
<div class="field"><label for="refund-reason">Reason (optional)</label>
<input id="refund-reason" name="reason" maxlength="200"></div>
<button type="submit">Refund</button>
<span class="hint">The amount leaves your available balance; the fee is not refunded.</span>
</form>`
      : '<p>Nothing is left to refund on this payment.</p>';
  return `<h2 id="h-refunds">Refunds and chargebacks</h2>
<p>Captured ${esc(m.captured)} ${esc(m.currency)}; refunded ${esc(m.refunded)}; pending ${esc(m.refundPending)};
charged back ${esc(m.chargedBack)}.</p>
${reserve}
${
  rows
    ? `<div class="scroll" role="region" aria-label="Refunds" tabindex="0"><table><caption>Refunds</caption>
<thead><tr><th scope="col">Refund</th><th scope="col">Amount</th><th scope="col">State</th><th scope="col">By</th>
<th scope="col">Reason</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : ''
}
${
  cbs
    ? `<div class="scroll" role="region" aria-label="Chargebacks" tabindex="0"><table><caption>Chargebacks</caption>
<thead><tr><th scope="col">Chargeback</th><th scope="col">Amount</th><th scope="col">From reserve</th>
<th scope="col">From available</th><th scope="col">Reason</th></tr></thead><tbody>${cbs}</tbody></table></div>`
    : ''
}
${form}`;
}
