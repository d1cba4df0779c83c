// The page shell of the payments and balances pages and their response headers. Stand-in for H3's
// portalPage (src/web/portal/layout.ts) until the merge: same idea, a full HTML page with the static CSS.
// Pages carry no script and no inline style, so the policy allows styles from this server's files only.
import type { FastifyReply } from 'fastify';
import { esc } from '../html.js';

export const PAYMENTS_CSS_PATH = '/assets/portal-payments.css';

export const PORTAL_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'none'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function portalHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', PORTAL_CSP)
    .type('text/html; charset=utf-8');
}

const NAV: { href: string; label: string }[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/payments', label: 'Payments' },
  { href: '/balances', label: 'Balances' },
];

/** A whole page: `current` marks the navigation entry of this page (aria-current). */
export function paymentsPage(p: { title: string; current?: string; body: string }): string {
  const nav = NAV.map(
    (n) => `<li><a href="${n.href}"${n.href === p.current ? ' aria-current="page"' : ''}>${esc(n.label)}</a></li>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} · Tender merchant portal</title>
<link rel="stylesheet" href="${PAYMENTS_CSS_PATH}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><p class="brand">Tender</p><nav aria-label="Portal"><ul>${nav}</ul></nav></header>
<main id="main">
${p.body}
</main>
</body>
</html>`;
}

/** A page with a heading and one message (refusals, not found). */
export const messagePage = (title: string, message: string, current?: string): string =>
  paymentsPage({
    title,
    ...(current ? { current } : {}),
    body: `<h1>${esc(title)}</h1><p class="notice" role="alert">${esc(message)}</p>
<p><a href="/payments">Back to payments</a></p>`,
  });
