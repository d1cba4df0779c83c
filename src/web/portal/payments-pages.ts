// The Payments pages as pure render functions: the filtered list with keyset paging, and one order with its
// status history, ledger entries and webhook attempts. Every text from the database goes through esc().
import { esc } from '../html.js';
import type { OrderDetail, OrderPage, OrderSummary, WebhookDelivery } from '../../core/portal-payments.js';
import { FILTER_FIELDS, KIND_NAMES, STATUS_NAMES, type PaymentFilter } from '../../core/portal-payments-filter.js';
import { paymentsPage } from './payments-layout.js';

/** "2024-05-01 12:00:00 UTC": UTC everywhere, so two merchants in two time zones read the same times. */
export const utc = (d: Date | string | null | undefined): string =>
  d ? `${new Date(d).toISOString().replace('T', ' ').slice(0, 19)} UTC` : '—';

const dash = (s: string | null | undefined) => (s === null || s === undefined || s === '' ? '—' : esc(s));

/** The list URL with the given filter, size and cursor: what every page link and the CSV export carry. */
const NO_CALLBACK = 'Not sent: no callback URL was set for this order.';

export function listUrl(path: string, f: PaymentFilter, extra: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const k of FILTER_FIELDS) if (f[k] !== undefined) q.set(k, f[k]!);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

const statusBadge = (status: number, text: string) => `<span class="status status-${status}">${esc(text)}</span>`;

function input(name: keyof PaymentFilter, label: string, f: PaymentFilter, type = 'text', extra = ''): string {
  const v = f[name] ?? '';
  return `<div class="field"><label for="f-${name}">${esc(label)}</label>
<input id="f-${name}" name="${name}" type="${type}" value="${esc(v)}"${extra}></div>`;
}

function select(name: keyof PaymentFilter, label: string, f: PaymentFilter, options: [string, string][]): string {
  const opts = [['', 'Any'] as [string, string], ...options]
    .map(([v, t]) => `<option value="${esc(v)}"${(f[name] ?? '') === v ? ' selected' : ''}>${esc(t)}</option>`)
    .join('');
  return `<div class="field"><label for="f-${name}">${esc(label)}</label>
<select id="f-${name}" name="${name}">${opts}</select></div>`;
}

function filterForm(f: PaymentFilter, size: number): string {
  return `<form class="filters" method="get" action="/payments" role="search" aria-label="Filter payments">
${select(
  'status',
  'Status',
  f,
  Object.entries(STATUS_NAMES).map(([v, t]) => [v, `${t} (${v})`]),
)}
${select('kind', 'Kind', f, Object.entries(KIND_NAMES))}
${input('currency', 'Currency', f, 'text', ' autocapitalize="characters" spellcheck="false"')}
${input('from', 'Created from (UTC)', f, 'date')}
${input('to', 'Created to (UTC)', f, 'date')}
${input('merchantTradeNo', 'merchantTradeNo', f, 'text', ' spellcheck="false"')}
${input('orderId', 'Order id', f, 'text', ' inputmode="numeric" spellcheck="false"')}
${input('hash', 'Transaction hash', f, 'text', ' spellcheck="false"')}
${input('amount', 'Amount', f, 'text', ' inputmode="decimal"')}
${size !== 50 ? `<input type="hidden" name="size" value="${size}">` : ''}
<div class="actions"><button type="submit">Search</button> <a href="/payments">Clear filters</a></div>
</form>`;
}

function orderRow(o: OrderSummary): string {
  return `<tr>
<td>${esc(utc(o.createdAt))}</td>
<td><a href="/payments/${encodeURIComponent(o.id)}">${esc(o.id)}</a></td>
<td class="wrap">${esc(o.merchantTradeNo)}</td>
<td>${esc(o.kindText)}</td>
<td>${esc(o.dialect)}</td>
<td>${statusBadge(o.status, o.statusText)}</td>
<td class="num">${esc(o.amount)} ${esc(o.currency)}</td>
<td class="num">${dash(o.fee)}</td>
<td class="num">${dash(o.receivedAmount)}</td>
<td>${dash(o.network)}</td>
</tr>`;
}

export function renderPaymentsList(p: OrderPage): string {
  const filtered = FILTER_FIELDS.some((k) => p.filter[k] !== undefined);
  const size = p.size !== 50 ? String(p.size) : undefined;
  const pager = [
    p.prev ? `<a rel="prev" href="${esc(listUrl('/payments', p.filter, { size, before: p.prev }))}">Newer</a>` : '',
    p.prev ? `<a href="${esc(listUrl('/payments', p.filter, { size }))}">Newest</a>` : '',
    p.next ? `<a rel="next" href="${esc(listUrl('/payments', p.filter, { size, after: p.next }))}">Older</a>` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const table = p.orders.length
    ? `<div class="scroll" role="region" aria-labelledby="orders-caption" tabindex="0">
<table class="orders"><caption id="orders-caption">Orders, newest first${filtered ? ' (filtered)' : ''}</caption>
<thead><tr><th scope="col">Created</th><th scope="col">Order</th><th scope="col">merchantTradeNo</th>
<th scope="col">Kind</th><th scope="col">Dialect</th><th scope="col">Status</th><th scope="col">Amount</th>
<th scope="col">Fee</th><th scope="col">Received</th><th scope="col">Network</th></tr></thead>
<tbody>${p.orders.map(orderRow).join('')}</tbody></table></div>`
    : `<p class="empty" role="status">${filtered ? 'No order matches these filters.' : 'No orders yet.'}</p>`;
  return paymentsPage({
    title: 'Payments',
    current: '/payments',
    body: `<h1>Payments</h1>
${filterForm(p.filter, p.size)}
<p class="export"><a href="${esc(listUrl('/payments.csv', p.filter))}" download>Export these orders as CSV</a></p>
${table}
${pager ? `<nav class="pager" aria-label="Pages">${pager}</nav>` : ''}`,
  });
}

function deliverySection(d: WebhookDelivery, n: number): string {
  const request = d.request
    ? `<h4>Request</h4><pre class="wire">POST ${esc(d.url ?? '')}
${Object.entries(d.request.headers)
  .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
  .join('\n')}

${esc(d.request.body)}</pre>`
    : `<p>${d.url ? 'The request cannot be rebuilt any more.' : NO_CALLBACK}</p>`;
  const tries = d.tries.length
    ? `<div class="scroll" role="region" aria-label="Attempts of webhook ${n}" tabindex="0"><table>
<caption>Attempts</caption>
<thead><tr><th scope="col">#</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col">HTTP</th>
<th scope="col">Answer</th><th scope="col">Result</th></tr></thead><tbody>
${d.tries
  .map(
    (t) => `<tr><td>${t.attemptNo}</td><td>${esc(utc(t.startedAt))}</td><td class="num">${t.durationMs} ms</td>
<td>${t.httpStatus ?? '—'}</td><td class="wrap"><code>${dash(t.responseBody)}</code>${
      t.error ? `<br><span class="error-text">${esc(t.error)}</span>` : ''
    }</td><td>${t.ok ? '<span class="ok">acknowledged</span>' : '<span class="bad">failed</span>'}</td></tr>`,
  )
  .join('')}
</tbody></table></div>`
    : '<p>No attempt yet.</p>';
  return `<section class="delivery" aria-labelledby="wh-${n}">
<h3 id="wh-${n}">Webhook ${n}: status ${d.orderStatus} (${esc(d.format)}) — ${esc(d.state)}</h3>
<dl class="facts"><dt>Queued</dt><dd>${esc(utc(d.createdAt))}</dd>
<dt>URL</dt><dd class="wrap">${dash(d.url)}</dd>
${d.deliveredAt ? `<dt>Delivered</dt><dd>${esc(utc(d.deliveredAt))}</dd>` : ''}
${d.nextAttemptAt ? `<dt>Next attempt</dt><dd>${esc(utc(d.nextAttemptAt))}</dd>` : ''}</dl>
${request}
${tries}
</section>`;
}

/** `extra`: a section drawn after the ledger entries (the card refunds section, card-refund-section.ts). */
export function renderPaymentDetail(d: OrderDetail, csrf: string, notice?: string, extra = ''): string {
  const o = d.order;
  const fact = (k: string, v: string) => `<dt>${esc(k)}</dt><dd>${v}</dd>`;
  const facts = [
    fact('Order id', esc(o.id)),
    fact('merchantTradeNo', esc(o.merchantTradeNo)),
    fact('Kind', esc(o.kindText)),
    fact('Dialect', esc(o.dialect)),
    fact('Status', statusBadge(o.status, o.statusText)),
    fact('Amount', `${esc(o.amount)} ${esc(o.currency)}`),
    fact('Paid', dash(o.paidAmount)),
    fact('Fee', dash(o.fee)),
    fact('Received', dash(o.receivedAmount)),
    fact('Network', dash(o.network)),
    fact('Transaction hash', `<span class="wrap">${dash(o.hash)}</span>`),
    fact('User id', dash(o.userId)),
    fact('Created', esc(utc(o.createdAt))),
    fact('Completed', esc(utc(o.completedAt))),
    ...(o.kind === 'payin' ? [fact('Expires', esc(utc(o.expiresAt)))] : []),
    fact('Callback URL', `<span class="wrap">${dash(o.callbackUrl)}</span>`),
    ...(o.remark ? [fact('Remark', esc(o.remark))] : []),
    ...(d.cinetpay
      ? [fact('CinetPay site', esc(d.cinetpay.siteId)), fact('transaction_id', esc(d.cinetpay.transactionId))]
      : []),
    ...(d.payout
      ? [
          fact('To address', `<span class="wrap">${esc(d.payout.toAddress)}</span>`),
          fact('Payout stage', esc(d.payout.stage + (d.payout.reason ? ` (${d.payout.reason})` : ''))),
          fact(
            'Signed transactions',
            d.payout.txHashes.length
              ? d.payout.txHashes.map((h) => `<span class="wrap">${esc(h)}</span>`).join('<br>')
              : '—',
          ),
        ]
      : []),
  ].join('\n');
  const events = `<div class="scroll" role="region" aria-labelledby="h-history" tabindex="0"><table>
<thead><tr>${['When', 'From', 'To', 'Why'].map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>${d.events
    .map(
      (e) => `<tr><td>${esc(utc(e.at))}</td><td>${e.from === null ? '—' : e.from}</td>
<td>${statusBadge(e.to, `${e.toText} (${e.to})`)}</td><td>${esc(e.reason)}</td></tr>`,
    )
    .join('')}</tbody></table></div>`;
  const entries = d.entries.length
    ? d.entries
        .map(
          (e) => `<div class="scroll" role="region" aria-label="Journal entry ${esc(e.entryId)}" tabindex="0"><table>
<caption>Entry ${esc(e.entryId)}: ${esc(e.kind)} — ${esc(e.memo)} (${esc(utc(e.at))})</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Amount</th></tr></thead>
<tbody>${e.postings
            .map(
              (p) =>
                `<tr><td class="wrap">${esc(p.account)}</td>` +
                `<td class="num">${esc(p.amount)} ${esc(p.currency)}</td></tr>`,
            )
            .join('')}</tbody></table></div>`,
        )
        .join('\n')
    : '<p>No ledger entry: no money has moved for this order.</p>';
  const hooks = d.deliveries.length
    ? d.deliveries.map((x, i) => deliverySection(x, i + 1)).join('\n')
    : '<p>No webhook has been queued for this order.</p>';
  return paymentsPage({
    title: `Order ${o.id}`,
    current: '/payments',
    body: `<p class="crumbs"><a href="/payments">Payments</a> › Order ${esc(o.id)}</p>
<h1>Order ${esc(o.id)}</h1>
${notice ? `<p class="notice" role="status">${esc(notice)}</p>` : ''}
<dl class="facts">${facts}</dl>
<h2 id="h-history">Status history</h2>
${events}
<h2>Ledger entries</h2>
${entries}
${extra}
<h2>Webhooks</h2>
<form method="post" action="/payments/${encodeURIComponent(o.id)}/resend" class="inline">
<input type="hidden" name="_csrf" value="${esc(csrf)}">
<button type="submit">Resend webhook</button>
<span class="hint">Sends the order's current status again, with a fresh retry schedule.</span>
</form>
${hooks}`,
  });
}
