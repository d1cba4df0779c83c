// The error and status tables of the portal reference, computed from the catalog and the dialect maps the
// edges answer with (src/domain/errors.ts, src/api/openapi/error-codes.ts, src/domain/cinetpay.ts,
// src/api/refusal.ts), so a new error or mapping shows up here without anyone editing a page.
import { ERRORS, type ErrorCode, type ErrorKind } from '../../domain/errors.js';
import { OPENAPI_CODES } from '../../api/openapi/error-codes.js';
import { HTTP_STATUS_BY_KIND } from '../../api/envelope.js';
import { CINETPAY_BY_CATALOG, CP, checkResult } from '../../domain/cinetpay.js';
import { OrderStatus, canTransition, isFinal, type OrderStatus as Status } from '../../domain/order-status.js';
import { notifies } from '../../domain/webhook-payload.js';
import { esc } from '../html.js';
import { tableBox } from './docs-layout.js';

export interface ErrorRow {
  code: ErrorCode;
  kind: ErrorKind;
  message: string;
  /** openapi / cpay `code` (HTTP 200 envelope). */
  openapi: number;
  /** minimal dialect: `code` and HTTP status. */
  minimal: { code: string; http: number };
  /** CinetPay v2 and legacy: code, message and HTTP status. */
  cinetpay: { code: string; message: string; http: number };
  /** Operator API: `error` and HTTP status. */
  admin: { error: string; http: number };
}

export function errorRows(): ErrorRow[] {
  return (Object.keys(ERRORS) as ErrorCode[]).map((code) => {
    const { kind, message } = ERRORS[code];
    const http = HTTP_STATUS_BY_KIND[kind];
    const cp = CINETPAY_BY_CATALOG[code] ?? CP.INVALID_PARAMETER;
    return {
      code,
      kind,
      message,
      openapi: OPENAPI_CODES[code],
      minimal: { code: code.toLowerCase(), http },
      cinetpay: { code: cp.code, message: cp.message, http: cp.http },
      admin: { error: code, http },
    };
  });
}

export type ErrorColumn = 'openapi' | 'minimal' | 'cinetpay' | 'admin';

const COLUMNS: Record<ErrorColumn, { head: string; cell: (r: ErrorRow) => string }> = {
  openapi: { head: 'openapi / cpay <code>code</code>', cell: (r) => `<code>${r.openapi}</code>` },
  minimal: {
    head: 'minimal <code>code</code> (HTTP)',
    cell: (r) => `<code>${esc(r.minimal.code)}</code> (${r.minimal.http})`,
  },
  cinetpay: {
    head: 'CinetPay <code>code</code> message (HTTP)',
    cell: (r) => `<code>${esc(r.cinetpay.code)}</code> ${esc(r.cinetpay.message)} (${r.cinetpay.http})`,
  },
  admin: { head: 'operator API <code>error</code> (HTTP)', cell: (r) => `<code>${r.code}</code> (${r.admin.http})` },
};

/** The error table, with the given dialects' wire forms (all of them on /docs/errors). */
export function errorTableHtml(columns: readonly ErrorColumn[]): string {
  const head = columns.map((c) => `<th scope="col">${COLUMNS[c].head}</th>`).join('');
  const rows = errorRows()
    .map(
      (r) =>
        `<tr id="error-${r.code.toLowerCase()}"><th scope="row"><code>${r.code}</code></th><td>${r.kind}</td>` +
        `${columns.map((c) => `<td>${COLUMNS[c].cell(r)}</td>`).join('')}<td>${esc(r.message)}</td></tr>`,
    )
    .join('');
  return (
    `${tableBox('Error codes')}<table class="errors"><caption>Error codes</caption><thead><tr>` +
    `<th scope="col">catalog code</th><th scope="col">kind</th>${head}<th scope="col">message</th>` +
    `</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

const NAMES: Record<Status, string> = { 0: 'PENDING', 11: 'PROCESSING', 14: 'COMPLETED', 15: 'CLOSED' };
const MEANING: Record<Status, string> = {
  0: 'created, waiting for the customer to pay',
  11: 'payment seen, waiting for confirmation (confirmations, 3-D Secure, mobile-money validation)',
  14: 'paid: the amount is in your balance (final)',
  15: 'rejected, failed or expired (final); nothing was credited',
};
const WATCH: Record<Status, string> = { 0: 'created', 11: 'created', 14: 'completed', 15: 'failed or expired' };

export interface StatusRow {
  code: Status;
  name: string;
  meaning: string;
  final: boolean;
  next: Status[];
  minimal: string;
  cinetpay: string;
  /** Which webhook formats notify this status. */
  webhooks: string[];
}

export function statusRows(): StatusRow[] {
  const all = Object.values(OrderStatus) as Status[];
  return all.map((s) => {
    const cp = checkResult(s, '');
    return {
      code: s,
      name: NAMES[s],
      meaning: MEANING[s],
      final: isFinal(s),
      next: all.filter((t) => canTransition(s, t)),
      minimal: WATCH[s],
      cinetpay: s === 15 ? 'REFUSED (600, 602 or 627)' : `${cp.status} (${cp.cp.code})`,
      webhooks: (['cpay', 'cpay-legacy', 'cinetpay'] as const).filter((f) => notifies(f, s)),
    };
  });
}

export function statusTableHtml(): string {
  const rows = statusRows()
    .map(
      (r) =>
        `<tr id="status-${r.code}"><th scope="row"><code>${r.code}</code> ${r.name}</th><td>${esc(r.meaning)}</td>` +
        `<td>${r.final ? 'yes' : 'no'}</td><td>${r.next.length ? r.next.join(', ') : '—'}</td>` +
        `<td><code>${esc(r.minimal)}</code></td><td>${esc(r.cinetpay)}</td>` +
        `<td>${r.webhooks.length ? r.webhooks.map((w) => `<code>${w}</code>`).join(', ') : 'none'}</td></tr>`,
    )
    .join('');
  return (
    `${tableBox('Order statuses')}<table class="statuses"><caption>Order statuses</caption><thead><tr>` +
    '<th scope="col">openapi / cpay status</th><th scope="col">meaning</th><th scope="col">final</th>' +
    '<th scope="col">can become</th><th scope="col">minimal <code>/watch</code> status</th>' +
    '<th scope="col">CinetPay check status (code)</th><th scope="col">webhook formats that notify it</th>' +
    `</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}
