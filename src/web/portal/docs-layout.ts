// The page shell of the documentation and webhook pages: a strict CSP (scripts and styles only from this
// server's own files, nothing inline), one stylesheet, the portal's menu (PORTAL_NAV) for a logged-in merchant
// and a plain reference header for readers without an account.
import type { FastifyReply } from 'fastify';
import { esc } from '../html.js';
import type { MerchantSession } from './docs-session.js';
import { PORTAL_NAV } from './layout.js';

/** Scripts and styles from Tender's own /assets only; forms post to Tender only; never framed. */
export const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
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

/**
 * The opening of a wide table's horizontal scroll box. Keyboard users must be able to scroll it too, so it
 * is focusable, and a named region so a screen reader says what the focus landed on. Close with `</div>`.
 */
export const tableBox = (label: string): string =>
  `<div class="table-wrap" tabindex="0" role="region" aria-label="${esc(label)}">`;

export interface PageInput {
  title: string;
  session: MerchantSession | undefined;
  body: string;
  /** Path of the current page, marked in the navigation (aria-current). */
  nav?: string;
  /** Extra scripts, each a path under /assets (external files only: the CSP has no inline script). */
  scripts?: string[];
}

const PUBLIC_NAV: Array<[string, string]> = [
  ['/docs', 'API reference'],
  ['/docs/signature', 'Signature'],
  ['/docs/errors', 'Errors'],
  ['/docs/statuses', 'Statuses'],
  ['/login', 'Merchant login'],
];

function navHtml(session: MerchantSession | undefined, current: string | undefined): string {
  const items: Array<[string, string]> = session ? PORTAL_NAV.map((n) => [n.href, n.label]) : PUBLIC_NAV;
  // With the portal menu, every reference page lights up "API reference".
  const here = (href: string) =>
    href === current || (session !== undefined && href === '/docs' && current?.startsWith('/docs/'));
  const links = items.map(([href, label]) => {
    const mark = here(href) ? ' aria-current="page"' : '';
    return `<li><a href="${esc(href)}"${mark}>${esc(label)}</a></li>`;
  });
  const out = session
    ? '<form method="post" action="/logout" class="logout">' +
      `<input type="hidden" name="_csrf" value="${esc(session.csrf)}">` +
      '<button type="submit">Log out</button></form>'
    : '';
  return `<nav aria-label="Main"><ul>${links.join('')}</ul>${out}</nav>`;
}

export function docsPage(p: PageInput): string {
  const scripts = (p.scripts ?? []).map((s) => `<script src="${esc(s)}" defer></script>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} · Tender</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/portal-docs.css">
${scripts}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="${p.session ? '/' : '/docs'}">Tender</a>${navHtml(p.session, p.nav)}</header>
<main id="main">
<h1>${esc(p.title)}</h1>
${p.body}
</main>
</body>
</html>
`;
}
