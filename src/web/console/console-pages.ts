// The operator console's pages as pure render functions (issue 12): data in, HTML out. A support operator
// (read-only) gets the same pages without any form.
import { esc } from '../html.js';
import type { OperatorSession } from './console-session.js';
import { csrfField, field, notice, table } from './console-html.js';
import { consolePage } from '../portal/layout.js';
import type { MerchantListRow } from '../../store/console-merchants-repo.js';
import type { MerchantCredentials } from '../../core/merchants.js';
import type { MerchantSettingsView } from '../../core/console-settings.js';
import type { DestinationHealth } from '../../core/console-webhook-health.js';
import type { AuditEntryView, AuditQuery } from '../../core/audit-log.js';

const isAdmin = (s: OperatorSession) => s.role === 'admin';
const when = (d: Date | string | null) => (d ? esc(new Date(d).toISOString().replace('T', ' ').slice(0, 19)) : '—');
const qs = (o: Record<string, string | undefined | null>) =>
  new URLSearchParams(Object.entries(o).filter(([, v]) => v) as Array<[string, string]>).toString();
const status = (suspended: boolean) =>
  suspended ? '<span class="badge bad">Suspended</span>' : '<span class="badge ok">Active</span>';

const ONCE_NOTICE =
  'Hand these credentials to the merchant now: they are shown only this once. ' +
  'The password must be changed at first login.';

export function renderMerchants(
  s: OperatorSession,
  p: { rows: MerchantListRow[]; next: string | null; q?: string; message?: string; error?: string },
): string {
  const search = `<form class="card" method="get" action="/console/merchants" role="search">
${field('q', 'Search merchants', { value: p.q ?? '', hint: 'merchant id, brand, company, e-mail or user name' })}
<button type="submit">Search</button></form>`;
  const rows = p.rows.map((m) => [
    `<a href="/console/merchants/${esc(m.id)}">${esc(m.id)}</a>`,
    esc(m.brand),
    esc(m.company),
    esc(m.email),
    status(m.suspended_at !== null),
    when(m.created_at),
  ]);
  const more = p.next ? `<p><a href="/console/merchants?${esc(qs({ q: p.q, after: p.next }))}">Next page</a></p>` : '';
  const onboard = isAdmin(s)
    ? `<h2 id="onboard">Onboard a merchant</h2>
<form class="card" method="post" action="/console/merchants" aria-labelledby="onboard">${csrfField(s)}
<div class="fields">${field('brand', 'Brand', { required: true })}
${field('company', 'Company', { required: true })}</div>
<div class="fields">${field('website', 'Website', { required: true, type: 'url', hint: 'https://shop.example' })}
${field('email', 'E-mail', { required: true, type: 'email' })}</div>
<button type="submit">Create merchant</button></form>`
    : '';
  return consolePage({
    title: 'Merchants',
    session: s,
    nav: 'merchants',
    body:
      (p.message ? notice(p.message) : '') +
      (p.error ? notice(p.error, true) : '') +
      search +
      table('Merchants, newest first', ['ID', 'Brand', 'Company', 'E-mail', 'Status', 'Created (UTC)'], rows) +
      more +
      onboard,
  });
}

/** Shown once, right after onboarding: the credentials are never stored in plain text nor shown again. */
export function renderCredentials(s: OperatorSession, c: MerchantCredentials): string {
  const rows: Array<[string, string]> = [
    ['Merchant ID', String(c.merchantId)],
    ['User name', c.username],
    ['One-time password', c.password],
    ['Security key (openapi)', c.securityKey],
    ['Merchant secret (minimal)', c.merchantSecret],
    ['CinetPay site_id', c.siteId],
    ['CinetPay apikey', c.apikey],
    ['CinetPay notification secret', c.notifySecret],
  ];
  const dl = rows
    .map(
      ([k, v]) => `<div class="row"><dt>${esc(k)}</dt><dd class="secret" data-field="${esc(k)}">${esc(v)}</dd></div>`,
    )
    .join('');
  return consolePage({
    title: 'Merchant created',
    session: s,
    nav: 'merchants',
    body: `${notice(ONCE_NOTICE)}
<section class="card" aria-label="Credentials"><dl class="facts">${dl}</dl></section>
<p><a href="/console/merchants/${c.merchantId}">Open the merchant</a></p>`,
  });
}

export function renderMerchant(
  s: OperatorSession,
  v: MerchantSettingsView,
  recent: AuditEntryView[],
  flash: { message?: string; error?: string } = {},
): string {
  const m = v.merchant;
  const id = m.merchantId;
  const facts: Array<[string, string]> = [
    ['Merchant ID', esc(String(id))],
    [
      'Status',
      `${status(m.suspended)}${m.suspended ? ` since ${when(m.suspendedAt)}: ${esc(m.suspendedReason ?? '')}` : ''}`,
    ],
    ['Company', esc(m.company)],
    ['Website', esc(m.website)],
    ['E-mail', esc(m.email)],
    ['User name', esc(m.username)],
    ['Callback URL', esc(m.callbackUrl ?? '—')],
    ['Webhook format', esc(m.webhookFormat)],
    ['Default currency', esc(m.defaultCurrency)],
    ['Security key version', esc(String(m.keyVersion))],
    ['Created (UTC)', when(m.createdAt)],
  ];
  const admin = isAdmin(s);
  const suspension = !admin
    ? ''
    : m.suspended
      ? `<form class="card" method="post" action="/console/merchants/${id}/reactivate">${csrfField(s)}
<p>Its API requests are refused with MERCHANT_SUSPENDED (10090). Reactivating accepts them again at once.</p>
<button type="submit">Reactivate merchant</button></form>`
      : `<form class="card" method="post" action="/console/merchants/${id}/suspend">${csrfField(s)}
<p>Every API request of this merchant will be refused with MERCHANT_SUSPENDED (10090) and its open payment pages say
so. Orders, balances and webhooks stay as they are.</p>
${field('reason', 'Reason', { required: true, hint: 'kept in the audit log' })}
<button type="submit" class="danger">Suspend merchant</button></form>`;
  const fees = table(
    'Fees',
    ['Setting', 'Value'],
    [
      ['Pay-in fee', `${v.payinFeeBps} bps`],
      ['Exchange spread', `${v.spreadBps} bps`],
      ['Exchange fee', `${v.exchangeFeeBps} bps`],
    ],
    [1],
  );
  const feeForm = admin
    ? `<form class="card" method="post" action="/console/merchants/${id}/fees">${csrfField(s)}<div class="fields">
${field('payinFeeBps', 'Pay-in fee (bps)', { value: String(v.payinFeeBps), type: 'number' })}
${field('spreadBps', 'Exchange spread (bps)', { value: String(v.spreadBps), type: 'number' })}
${field('exchangeFeeBps', 'Exchange fee (bps)', { value: String(v.exchangeFeeBps), type: 'number' })}</div>
<button type="submit">Save fees</button></form>`
    : '';
  const payoutFees = table(
    'Payout fees',
    ['Asset', 'Network', 'Fixed', 'Rate (bps)', 'Source'],
    v.payoutFees.map((f) => [esc(f.asset), esc(f.network), esc(f.fixed), String(f.bps), esc(f.source)]),
    [2, 3],
  );
  const bpsField = field('bps', 'Rate (bps)', { type: 'number', value: '0' });
  const payoutFeeForm = admin
    ? `<form class="card" method="post" action="/console/merchants/${id}/payout-fee">${csrfField(s)}<div class="fields">
${field('asset', 'Asset', { hint: 'e.g. USDT' })}${field('network', 'Network', { hint: 'e.g. TRON' })}
${field('fixed', 'Fixed fee', { hint: 'major units, e.g. 1.5' })}${bpsField}</div>
<button type="submit">Set payout fee</button></form>`
    : '';
  const limits = table(
    'Two-person approval above',
    ['Currency', 'Threshold', 'Source'],
    v.thresholds.map((t) => [esc(t.currency), esc(t.amount), esc(t.source)]),
    [1],
  );
  const thresholdForm = admin
    ? `<form class="card" method="post" action="/console/merchants/${id}/threshold">${csrfField(s)}<div class="fields">
${field('currency', 'Currency', { hint: 'e.g. USDT' })}${field('amount', 'Threshold', { hint: 'major units' })}</div>
<button type="submit">Set threshold</button></form>`
    : '';
  const max = table(
    'Largest order per currency (install-wide, TENDER_MAX_AMOUNTS)',
    ['Currency', 'Maximum'],
    v.maxAmounts.map((a) => [esc(a.currency), esc(a.max ?? 'none')]),
    [1],
  );
  return consolePage({
    title: `${m.brand}`,
    session: s,
    nav: 'merchants',
    body:
      (flash.message ? notice(flash.message) : '') +
      (flash.error ? notice(flash.error, true) : '') +
      `<section class="card" aria-label="Merchant"><dl class="facts">${facts
        .map(([k, val]) => `<div class="row"><dt>${esc(k)}</dt><dd>${val}</dd></div>`)
        .join('')}</dl></section>` +
      suspension +
      `<h2>Fees and limits</h2>${fees}${feeForm}${payoutFees}${payoutFeeForm}${limits}${thresholdForm}${max}` +
      `<h2>Recent operator actions</h2>${auditTable(recent)}` +
      `<p><a href="/console/audit?merchantId=${id}">All actions on this merchant</a></p>`,
  });
}

export interface PayoutQueueRow {
  orderId: string;
  merchantId: string;
  merchantTradeNo: string;
  stage: string;
  reason: string | null;
  amount: string;
  currency: string;
  network: string;
  toAddress: string;
  approvalsNeeded: number;
  approvedBy: string[];
}

export function renderPayouts(
  s: OperatorSession,
  rows: PayoutQueueRow[],
  flash: { message?: string; error?: string } = {},
) {
  const admin = isAdmin(s);
  const decide = (p: PayoutQueueRow) =>
    admin && p.stage === 'approval'
      ? `<form class="inline" method="post" action="/console/payouts/${esc(p.orderId)}/approve">${csrfField(s)}` +
        `<button type="submit" aria-label="Approve payout ${esc(p.orderId)}">Approve</button></form> ` +
        `<form class="inline" method="post" action="/console/payouts/${esc(p.orderId)}/reject">${csrfField(s)}` +
        `<button type="submit" class="danger" aria-label="Reject payout ${esc(p.orderId)}">Reject</button></form>`
      : '—';
  return consolePage({
    title: 'Payout approvals',
    session: s,
    nav: 'payouts',
    body:
      (flash.message ? notice(flash.message) : '') +
      (flash.error ? notice(flash.error, true) : '') +
      "<p>Payouts above a merchant's threshold wait for two different operators; one rejection closes them.</p>" +
      table(
        'Payouts not yet final',
        ['Order', 'Merchant', 'Amount', 'Network', 'To', 'Stage', 'Approvals', 'Decision'],
        rows.map((p) => [
          `${esc(p.orderId)}<br><span class="muted">${esc(p.merchantTradeNo)}</span>`,
          `<a href="/console/merchants/${esc(p.merchantId)}">${esc(p.merchantId)}</a>`,
          `${esc(p.amount)} ${esc(p.currency)}`,
          esc(p.network),
          `<span class="secret">${esc(p.toAddress)}</span>`,
          `${esc(p.stage)}${p.reason ? `<br><span class="muted">${esc(p.reason)}</span>` : ''}`,
          `${p.approvedBy.length}/${p.approvalsNeeded}` +
            (p.approvedBy.length ? `: ${esc(p.approvedBy.join(', '))}` : ''),
          decide(p),
        ]),
        [2],
      ),
  });
}

const HEALTH_BADGE: Record<DestinationHealth['state'], string> = {
  failing: '<span class="badge bad">failing</span>',
  deferred: '<span class="badge bad">deferred</span>',
  backlog: '<span class="badge warn">backlog</span>',
  healthy: '<span class="badge ok">healthy</span>',
};

const age = (sec: number | null) =>
  sec === null
    ? '—'
    : sec < 120
      ? `${sec} s`
      : sec < 7200
        ? `${Math.floor(sec / 60)} min`
        : `${Math.floor(sec / 3600)} h`;

export function renderWebhookHealth(s: OperatorSession, h: { since: string; destinations: DestinationHealth[] }) {
  return consolePage({
    title: 'Webhook health',
    session: s,
    nav: 'webhooks',
    body:
      `<p>Per destination since ${when(h.since)} UTC (and every pending delivery): failing destinations first.</p>` +
      table(
        'Webhook destinations',
        [
          'Destination',
          'State',
          'Merchants',
          'Backlog',
          'Oldest pending',
          'Failed attempts',
          'Given up',
          'Delivered',
          'Last error',
        ],
        h.destinations.map((d) => [
          `<span class="secret">${esc(d.destination)}</span>`,
          HEALTH_BADGE[d.state] +
            (d.deferredUntil ? `<br><span class="muted">until ${when(d.deferredUntil)}</span>` : ''),
          String(d.merchants),
          String(d.backlog),
          age(d.oldestPendingSeconds),
          String(d.failedAttempts),
          String(d.failedDeliveries),
          String(d.deliveredDeliveries),
          esc(d.lastError ?? '—'),
        ]),
        [2, 3, 5, 6, 7],
      ),
  });
}

function auditTable(entries: AuditEntryView[]): string {
  const summary = (o: Record<string, unknown> | null) => (o ? esc(JSON.stringify(o)) : '—');
  return table(
    'Operator actions, newest first',
    ['When (UTC)', 'Who', 'From', 'Action', 'Merchant', 'Target', 'Before', 'After'],
    entries.map((e) => [
      when(e.at),
      esc(e.actor),
      esc(e.address ?? '—'),
      esc(e.action),
      e.merchantId ? `<a href="/console/merchants/${esc(e.merchantId)}">${esc(e.merchantId)}</a>` : '—',
      esc(e.target ?? '—'),
      summary(e.before),
      summary(e.after),
    ]),
  );
}

export function renderAudit(
  s: OperatorSession,
  q: AuditQuery,
  page: { entries: AuditEntryView[]; next: string | null },
  error?: string,
) {
  const f = `<form class="card" method="get" action="/console/audit" role="search"><div class="fields">
${field('actor', 'Who', { value: q.actor ?? '', hint: 'operator id, cli, admin-token or system' })}
${field('merchantId', 'Merchant ID', { value: q.merchantId ?? '' })}
${field('action', 'Action', { value: q.action ?? '', hint: 'e.g. merchant.suspend, or merchant. for all' })}
${field('from', 'From (UTC date)', { value: q.from ?? '', type: 'date' })}
${field('to', 'To (UTC date)', { value: q.to ?? '', type: 'date' })}</div>
<button type="submit">Search</button></form>`;
  const more = page.next
    ? `<p><a href="/console/audit?${esc(
        qs({ actor: q.actor, merchantId: q.merchantId, action: q.action, from: q.from, to: q.to, after: page.next }),
      )}">Next page</a></p>`
    : '';
  return consolePage({
    title: 'Audit log',
    session: s,
    nav: 'audit',
    body: (error ? notice(error, true) : '') + f + auditTable(page.entries) + more,
  });
}

export function renderConsoleMessage(s: OperatorSession | undefined, title: string, text: string): string {
  const body = notice(text, true) + (s ? '' : '<p><a href="/console/login">Log in</a></p>');
  return consolePage({ title, session: s, nav: s ? 'merchants' : undefined, body });
}
