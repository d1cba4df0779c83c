// The page frame of the merchant portal and the operator console (each with its own navigation): one
// stylesheet (/assets/portal.css, no inline style or script, so the strict CSP of page-headers.ts holds), a
// skip link, a navigation bar that wraps on phones, and a logout form carrying the CSRF token. Callers pass
// `body` as HTML they escaped.
import { esc } from '../html.js';
import type { MerchantSession, OperatorSession } from './session-types.js';

/** The merchant portal's sections, in navigation order; `nav` marks the current one. */
export const PORTAL_NAV = [
  { key: 'dashboard', href: '/', label: 'Dashboard' },
  { key: 'payments', href: '/payments', label: 'Payments' },
  { key: 'balances', href: '/balances', label: 'Balances' },
  { key: 'integrations', href: '/integrations', label: 'Intégrations' },
  { key: 'dev-api', href: '/dev/api', label: 'API secret' },
  { key: 'webhooks', href: '/webhooks', label: 'Webhooks' },
  { key: 'docs', href: '/docs', label: 'API reference' },
  { key: 'user-center', href: '/user-center', label: 'User Center' },
] as const;
export type PortalNav = (typeof PORTAL_NAV)[number]['key'];

/** The console's sections. */
export const CONSOLE_NAV = [
  { key: 'merchants', href: '/console/merchants', label: 'Merchants' },
  { key: 'payouts', href: '/console/payouts', label: 'Payout approvals' },
  { key: 'cards', href: '/console/cards', label: 'Card refunds' },
  { key: 'webhooks', href: '/console/webhooks', label: 'Webhook health' },
  { key: 'audit', href: '/console/audit', label: 'Audit log' },
  { key: 'account', href: '/console/account', label: 'My account' },
] as const;
export type ConsoleNav = (typeof CONSOLE_NAV)[number]['key'];

/** The hidden CSRF field every form of a logged-in page carries. */
export const csrfField = (s: { csrf: string }): string => `<input type="hidden" name="_csrf" value="${esc(s.csrf)}">`;

export interface PortalPageInput {
  title: string;
  /** Undefined on public pages (login): no navigation, no logout. */
  session?: MerchantSession;
  /** Trusted HTML (escape every value with esc()). */
  body: string;
  nav?: PortalNav;
  /** Extra external scripts under /assets/ (progressive enhancement only; pages must work without them). */
  scripts?: string[];
}

export interface ConsolePageInput {
  title: string;
  session?: OperatorSession;
  body: string;
  nav?: ConsoleNav;
  scripts?: string[];
}

function navBar(
  items: ReadonlyArray<{ key: string; href: string; label: string }>,
  current: string | undefined,
  label: string,
): string {
  const links = items
    .map(
      (i) => `<li><a href="${esc(i.href)}"${i.key === current ? ' aria-current="page"' : ''}>${esc(i.label)}</a></li>`,
    )
    .join('');
  return `<nav aria-label="${esc(label)}"><ul class="nav">${links}</ul></nav>`;
}

function frame(o: {
  title: string;
  product: string;
  home: string;
  nav: string;
  logout: string;
  who: string;
  body: string;
  scripts?: string[];
}): string {
  const scripts = (o.scripts ?? [])
    .filter((s) => /^\/assets\/[a-z0-9-]+\.js$/.test(s))
    .map((s) => `<script src="${esc(s)}" defer></script>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} · ${esc(o.product)}</title>
<link rel="stylesheet" href="/assets/portal.css">${scripts}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="${esc(o.home)}">${esc(o.product)}</a>${o.who}${o.logout}
</header>
${o.nav}
<main id="main" tabindex="-1">
<h1>${esc(o.title)}</h1>
${o.body}
</main>
</body>
</html>`;
}

const logoutForm = (action: string, csrf: string) =>
  `<form class="logout" method="post" action="${esc(action)}">${csrfField({ csrf })}` +
  '<button type="submit" class="link">Log out</button></form>';

/** A full merchant-portal page. */
export function portalPage(p: PortalPageInput): string {
  const s = p.session;
  return frame({
    title: p.title,
    product: 'Tender Merchant Portal',
    home: '/',
    nav: s ? navBar(PORTAL_NAV, p.nav, 'Merchant portal') : '',
    who: s ? `<span class="who">Merchant ${esc(s.merchantId)}</span>` : '',
    logout: s ? logoutForm('/logout', s.csrf) : '',
    body: p.body,
    scripts: p.scripts,
  });
}

const roleText = (role: string) => (role === 'admin' ? 'admin' : 'support (read-only)');

/** A full operator-console page. */
export function consolePage(p: ConsolePageInput): string {
  const s = p.session;
  return frame({
    title: p.title,
    product: 'Tender Console',
    home: '/console/',
    nav: s ? navBar(CONSOLE_NAV, p.nav, 'Operator console') : '',
    who: s ? `<span class="who">Operator ${esc(s.operatorId)} · ${roleText(s.role)}</span>` : '',
    logout: s ? logoutForm('/console/logout', s.csrf) : '',
    body: p.body,
    scripts: p.scripts,
  });
}
