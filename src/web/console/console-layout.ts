// The console's page frame until H3's src/web/portal/layout.ts consolePage() lands: header, nav, main, the
// static stylesheet (no inline style or script: the CSP forbids both).
import { esc } from '../html.js';
import type { OperatorSession } from './console-session.js';

export type ConsoleNav = 'merchants' | 'payouts' | 'cards' | 'webhooks' | 'audit';

const LINKS: Array<[ConsoleNav, string, string]> = [
  ['merchants', '/console/merchants', 'Merchants'],
  ['payouts', '/console/payouts', 'Payout approvals'],
  ['cards', '/console/cards', 'Card refunds'],
  ['webhooks', '/console/webhooks', 'Webhook health'],
  ['audit', '/console/audit', 'Audit log'],
];

const roleText = (role: string): string => (role === 'admin' ? 'admin' : 'support (read-only)');

export function consoleFrame(p: { title: string; session: OperatorSession; nav: ConsoleNav; body: string }): string {
  const nav = LINKS.map(
    ([key, href, label]) => `<li><a href="${href}"${key === p.nav ? ' aria-current="page"' : ''}>${label}</a></li>`,
  ).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(p.title)} · Tender console</title><link rel="stylesheet" href="/console/console.css"></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">Tender console</span><nav aria-label="Console"><ul>${nav}</ul></nav>
<span class="who">Operator ${esc(p.session.operatorId)} · ${roleText(p.session.role)}
</span></header>
<main id="main"><h1>${esc(p.title)}</h1>${p.body}</main></body></html>`;
}

/** The CSRF field every console form carries (the session's token). */
export const csrfField = (s: OperatorSession) => `<input type="hidden" name="_csrf" value="${esc(s.csrf)}">`;

export const notice = (text: string, error = false) =>
  `<p class="notice${error ? ' error' : ''}" role="${error ? 'alert' : 'status'}">${esc(text)}</p>`;

/** A table in a scrollable wrapper (phones), with a caption for screen readers. */
export function table(caption: string, head: string[], rows: string[][], numeric: number[] = []): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.length
    ? rows
        .map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`)
        .join('')
    : `<tr><td colspan="${head.length}" class="muted">Nothing to show.</td></tr>`;
  return (
    `<div class="table-wrap"><table><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}

export function field(
  name: string,
  label: string,
  opts: { value?: string; type?: string; required?: boolean; hint?: string; autocomplete?: string } = {},
): string {
  const id = `f-${name}`;
  const hint = opts.hint ? `<span class="muted" id="${id}-hint">${esc(opts.hint)}</span>` : '';
  return (
    `<div class="field"><label for="${id}">${esc(label)}</label><input id="${id}" name="${name}"` +
    ` type="${opts.type ?? 'text'}"${opts.value !== undefined ? ` value="${esc(opts.value)}"` : ''}` +
    `${opts.required ? ' required' : ''}${opts.hint ? ` aria-describedby="${id}-hint"` : ''}` +
    ` autocomplete="${opts.autocomplete ?? 'off'}">${hint}</div>`
  );
}
