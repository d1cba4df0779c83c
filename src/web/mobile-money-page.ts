// The hosted page of CinetPay payments (payment_url): French or English, only the channels the payment
// asked for — mobile money (operator, phone with country prefix, then OTP or "approve on your phone") and
// the sandbox card outcome. Server-rendered, no external assets, works without script (meta refresh) and
// in a mobile WebView.
import { esc } from './html.js';
import type { MobileMoneyOperator } from '../rails/rail.js';

export type Lang = 'fr' | 'en';

const T = {
  fr: {
    title: 'Paiement',
    pay: 'Payer',
    amount: 'Montant',
    mm: 'Mobile money',
    card: 'Carte bancaire',
    operator: 'Opérateur',
    prefix: 'Indicatif',
    phone: 'Numéro de téléphone',
    payMm: 'Payer avec mobile money',
    sandboxCard: 'Bac à sable : choisissez le résultat du paiement par carte.',
    cardPay: 'Payer par carte',
    cardFail: 'Échec du paiement par carte',
    otpTitle: 'Saisissez le code de confirmation',
    otpHelp: (op: string) => `${op} vous a envoyé un code par SMS. Saisissez-le pour confirmer le paiement.`,
    otpSandbox: 'Bac à sable : le code est 123456.',
    otp: 'Code de confirmation',
    confirm: 'Confirmer',
    otpWrong: (n: number) => `Code incorrect. Il vous reste ${n} essai${n > 1 ? 's' : ''}.`,
    pushTitle: 'Validez sur votre téléphone',
    pushHelp: (op: string, phone: string) =>
      `Une demande de paiement ${op} a été envoyée au +${phone}. Validez-la sur votre téléphone ;` +
      ` cette page se met à jour toute seule.`,
    paid: 'Paiement réussi',
    paidText: 'Votre paiement a été accepté. Merci.',
    failed: 'Paiement refusé',
    insufficient: 'Solde insuffisant : le paiement n’a pas abouti.',
    otpError: 'Code de confirmation incorrect : le paiement a été annulé.',
    timeout: 'Délai de confirmation dépassé : le paiement a été annulé.',
    declined: 'Le paiement a été refusé sur le téléphone.',
    failedText: 'Le paiement n’a pas abouti. Aucun montant n’a été débité.',
    expired: 'Paiement expiré',
    expiredText: 'Ce lien de paiement a expiré.',
    back: 'Retourner sur le site du marchand',
    ref: 'Référence',
    none: 'Aucun moyen de paiement n’est disponible pour ce paiement.',
    waiting: 'Paiement en cours de confirmation.',
    sandbox: 'Bac à sable : aucun argent ne circule.',
    lang: 'English',
    notFound: 'Paiement introuvable',
    notFoundText: 'Ce lien de paiement n’est pas valide.',
    refused: 'Requête refusée',
    refusedText: 'Ce paiement ne peut être modifié que depuis sa propre page de paiement.',
    suspended: 'Paiements suspendus',
    suspendedText:
      "Ce marchand ne peut pas recevoir de paiement pour le moment. Rien n'a été débité : revenez à la boutique.",
  },
  en: {
    title: 'Payment',
    pay: 'Pay',
    amount: 'Amount',
    mm: 'Mobile money',
    card: 'Bank card',
    operator: 'Operator',
    prefix: 'Country code',
    phone: 'Phone number',
    payMm: 'Pay with mobile money',
    sandboxCard: 'Sandbox: choose the outcome of the card payment.',
    cardPay: 'Pay by card',
    cardFail: 'Fail the card payment',
    otpTitle: 'Enter the confirmation code',
    otpHelp: (op: string) => `${op} sent you a code by SMS. Enter it to confirm the payment.`,
    otpSandbox: 'Sandbox: the code is 123456.',
    otp: 'Confirmation code',
    confirm: 'Confirm',
    otpWrong: (n: number) => `Wrong code. ${n} attempt${n > 1 ? 's' : ''} left.`,
    pushTitle: 'Approve on your phone',
    pushHelp: (op: string, phone: string) =>
      `A ${op} payment request was sent to +${phone}. Approve it on your phone; this page updates by itself.`,
    paid: 'Payment successful',
    paidText: 'Your payment was accepted. Thank you.',
    failed: 'Payment refused',
    insufficient: 'Insufficient balance: the payment did not go through.',
    otpError: 'Wrong confirmation code: the payment was cancelled.',
    timeout: 'Confirmation time ran out: the payment was cancelled.',
    declined: 'The payment was declined on the phone.',
    failedText: 'The payment did not go through. No money was taken.',
    expired: 'Payment expired',
    expiredText: 'This payment link has expired.',
    back: 'Back to the merchant’s site',
    ref: 'Reference',
    none: 'No payment method is available for this payment.',
    waiting: 'Payment being confirmed.',
    sandbox: 'Sandbox: no money moves.',
    lang: 'Français',
    notFound: 'Payment not found',
    notFoundText: 'This payment link is not valid.',
    refused: 'Request refused',
    refusedText: 'This payment can only be changed from its own payment page.',
    suspended: 'Payments suspended',
    suspendedText: 'This merchant cannot accept payments at the moment. Nothing was charged: go back to the shop.',
  },
} as const;

export const texts = (lang: Lang) => T[lang];

const STYLE =
  `*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;` +
  `color:#1d2330;overflow-wrap:anywhere}
main{max-width:440px;margin:0 auto;padding:16px}.card{background:#fff;border-radius:16px;box-shadow:0` +
  ` 1px 3px rgba(16,24,40,.1);padding:22px 20px;margin-bottom:12px}
h1{font-size:18px;margin:0 0 4px}h2{font-size:16px;margin:0 0 10px}.muted{color:#667085;font-size:14px}
.amount{font-size:30px;font-weight:700;margin:4px 0 8px}.amount .cur{font-size:.6em;color:#475467;margin-left:4px}
label{display:block;font-size:14px;color:#475467;margin:10px 0 4px}select,input{font:inherit;` +
  `width:100%;min-height:46px;padding:10px 12px;border:1px solid #d0d5dd;border-radius:10px;` +
  `background:#fff}
.ops{display:grid;grid-template-columns:1fr 1fr;gap:8px}.ops label{margin:0;border:1px solid #d0d5dd;` +
  `border-radius:10px;padding:10px;display:flex;gap:8px;align-items:center;color:#1d2330}
.ops input{width:auto;min-height:0}.phone{display:grid;grid-template-columns:7.5em 1fr;gap:8px}
button{-webkit-appearance:none;appearance:none;font:inherit;font-weight:600;width:100%;` +
  `min-height:50px;border:0;border-radius:12px;margin-top:12px;cursor:pointer;` +
  `background:#1d4ed8;color:#fff}
button.fail{background:#fff;color:#b42318;border:1px solid #fda29b}.note{margin:10px 0 0;padding:8px` +
  ` 12px;border-radius:8px;background:#fffaeb;color:#93370d;font-size:13px}
.error{padding:10px 12px;border-radius:8px;background:#fef3f2;color:#7a271a}.ok{padding:10px 12px;` +
  `border-radius:8px;background:#ecfdf3;color:#054f31}
a.back{display:block;text-align:center;margin-top:16px;padding:12px;border-radius:12px;` +
  `background:#1d4ed8;color:#fff;text-decoration:none;font-weight:600}
.top{display:flex;justify-content:space-between;align-items:center}.top a{font-size:14px;` +
  `color:#1d4ed8}footer{text-align:center;color:#98a2b3;font-size:12px}`;

export interface PageView {
  /** This response's CSP nonce: the status poller carries it, nothing else can run. */
  nonce: string;
  lang: Lang;
  code: string;
  brand: string;
  description: string;
  amount: string;
  currency: string;
  transactionId: string;
  step: 'choose' | 'otp' | 'push' | 'processing' | 'paid' | 'failed' | 'expired';
  failure?: string;
  otpAttemptsLeft?: number;
  error?: string;
  mobileMoney: boolean;
  card: boolean;
  sandbox: boolean;
  operators: MobileMoneyOperator[];
  prefixes: { prefix: string; country: string }[];
  operatorName?: string;
  phone?: string;
  lockedPhone?: string;
  returnUrl: string;
  /**
   * Orders of CinetPay's legacy API (docs/cinetpay-legacy.md): the way back is a POST of these fields, as the
   * official PHP SDK's return page reads `$_POST['cpm_trans_id']`; a failed payment goes to cancelUrl when set.
   */
  legacyReturn?: { fields: Record<string, string>; cancelUrl: string | null };
}

/** The way back to the merchant: a link, or for legacy orders a form posting the transaction id. */
function back(v: PageView, failed: boolean): string {
  const t = T[v.lang];
  const url = failed && v.legacyReturn?.cancelUrl ? v.legacyReturn.cancelUrl : v.returnUrl;
  if (url === '') return '';
  if (!v.legacyReturn) return `<a class="back" id="back" href="${esc(url)}">${t.back}</a>`;
  const inputs = Object.entries(v.legacyReturn.fields)
    .map(([k, x]) => `<input type="hidden" name="${esc(k)}" value="${esc(x)}">`)
    .join('');
  return (
    `<form method="post" action="${esc(url)}" id="back-form">${inputs}<button class="back" id="back"` +
    ` type="submit">${t.back}</button></form>`
  );
}

const base = (v: PageView) => `/payment/${encodeURIComponent(v.code)}`;

function shell(v: PageView, body: string, head = ''): string {
  const t = T[v.lang];
  const other: Lang = v.lang === 'fr' ? 'en' : 'fr';
  return (
    `<!doctype html><html lang="${v.lang}"><head><meta charset="utf-8"><meta name="viewport"` +
    ` content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">${head}<title>${esc(t.title)} · ${esc(v.brand)}</title>` +
    `<style>${STYLE}</style></head><body><main>
<div class="card"><div class="top"><h1 id="brand">${esc(v.brand)}</h1><a id="switch-lang"` +
    ` href="${base(v)}?lang=${other}">${t.lang}</a></div>
<div class="muted" id="description">${esc(v.description)}</div><div class="amount"` +
    ` id="amount">${esc(v.amount)}<span class="cur">${esc(v.currency)}</span></div>
<div class="muted">${t.ref}: <span id="transaction-id">${esc(v.transactionId)}</span></div></div>
${body}<footer>CinetPay API · Tender${v.sandbox ? ` · ${t.sandbox}` : ''}</footer></main></body></html>`
  );
}

const hidden = (v: PageView) => `<input type="hidden" name="lang" value="${v.lang}">`;

function chooseBody(v: PageView): string {
  const t = T[v.lang];
  const parts: string[] = [];
  if (v.error) parts.push(`<div class="card"><p class="error" id="error">${esc(v.error)}</p></div>`);
  if (v.mobileMoney) {
    const ops = v.operators
      .map(
        (o, i) =>
          `<label><input type="radio" name="operator" value="${esc(o.code)}"` +
          ` id="op-${esc(o.code)}"${i === 0 ? ' checked' : ''}>${esc(o.name)}</label>`,
      )
      .join('');
    const prefixes = v.prefixes
      .map(
        (p) => `<option value="${p.prefix}"${p.prefix === '225' ? ' selected' : ''}>+${p.prefix} ${p.country}</option>`,
      )
      .join('');
    const phone =
      v.lockedPhone !== undefined
        ? `<input id="phone" name="phone" inputmode="tel" value="${esc(v.lockedPhone)}" readonly>`
        : `<input id="phone" name="phone" inputmode="tel" autocomplete="tel-national"` +
          ` placeholder="0700000001" required>`;
    parts.push(
      `<div class="card" id="mobile-money"><h2>${t.mm}</h2><form method="post"` +
        ` action="${base(v)}/mobile-money">${hidden(v)}
<div class="ops" role="radiogroup" aria-label="${t.operator}">${ops}</div>
<label for="phone">${t.phone}</label><div class="phone"><select name="phone_prefix" id="prefix"` +
        ` aria-label="${t.prefix}">${prefixes}</select>${phone}</div>
<button type="submit" id="pay-mm">${t.payMm}</button></form></div>`,
    );
  }
  if (v.card && v.sandbox) {
    parts.push(
      `<div class="card" id="card"><h2>${t.card}</h2><p class="note">${t.sandboxCard}</p>` +
        `<form method="post" action="${base(v)}/card">${hidden(v)}
<button type="submit" name="outcome" value="pay" id="card-pay">${t.cardPay} ·` +
        ` ${esc(v.amount)} ${esc(v.currency)}</button>
<button type="submit" name="outcome" value="fail" class="fail" id="card-fail">${t.cardFail}</button></form></div>`,
    );
  }
  if (!parts.some((p) => p.includes('<form'))) parts.push(`<div class="card"><p id="none">${t.none}</p></div>`);
  return parts.join('\n');
}

/** Polls the status while the customer confirms on the phone; a meta refresh covers pages without script. */
const POLL = (v: PageView) =>
  `<script nonce="${esc(v.nonce)}">(function(){var u=${JSON.stringify(`${base(v)}/status`)};function` +
  ` t(){fetch(u,{cache:'no-store'}).then(function(r){return r.json()}` +
  `).then(function(s){if(s.step!==${JSON.stringify(v.step)})` +
  `location.replace(${JSON.stringify(`${base(v)}?lang=${v.lang}`)});` +
  `else setTimeout(t,1000)}).catch(function(){setTimeout(t,2000)})}setTimeout(t,1000)})();` +
  `</script>`;

export function renderPaymentPage(v: PageView): string {
  const t = T[v.lang];
  switch (v.step) {
    case 'choose':
      return shell(v, chooseBody(v));
    case 'otp':
      return shell(
        v,
        `<div class="card" id="otp-step"><h2>${t.otpTitle}</h2><p>${esc(t.otpHelp(v.operatorName ?? ''))}</p>
${v.otpAttemptsLeft !== undefined ? `<p class="error" id="otp-wrong">${esc(t.otpWrong(v.otpAttemptsLeft))}</p>` : ''}
<form method="post" action="${base(v)}/otp">${hidden(v)}<label for="otp">${t.otp}</label><input` +
          ` id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit" id="confirm-otp">${t.confirm}</button>` +
          `</form>${v.sandbox ? `<p class="note">${t.otpSandbox}</p>` : ''}</div>`,
      );
    case 'push':
      return shell(
        v,
        `<div class="card" id="push-step"><h2>${t.pushTitle}</h2>` +
          `<p>${esc(t.pushHelp(v.operatorName ?? '', v.phone ?? ''))}</p></div>${POLL(v)}`,
        `<noscript><meta http-equiv="refresh" content="3"></noscript>`,
      );
    case 'processing':
      return shell(
        v,
        `<div class="card"><p id="processing">${t.waiting}</p></div>${POLL(v)}`,
        `<noscript><meta http-equiv="refresh" content="3"></noscript>`,
      );
    case 'paid':
      return shell(
        v,
        `<div class="card" id="result"><h2 id="result-title">${t.paid}</h2><p` +
          ` class="ok">${t.paidText}</p>${back(v, false)}</div>`,
      );
    case 'failed': {
      const why =
        v.failure === 'insufficient_balance'
          ? t.insufficient
          : v.failure === 'otp_error'
            ? t.otpError
            : v.failure === 'customer_timeout'
              ? t.timeout
              : v.failure === 'declined'
                ? t.declined
                : t.failedText;
      return shell(
        v,
        `<div class="card" id="result"><h2 id="result-title">${t.failed}</h2><p class="error"` +
          ` id="reason">${esc(why)}</p>${back(v, true)}</div>`,
      );
    }
    case 'expired':
      return shell(
        v,
        `<div class="card" id="result"><h2 id="result-title">${t.expired}</h2><p` +
          ` class="error">${t.expiredText}</p>${back(v, true)}</div>`,
      );
  }
}

export function renderNotFound(lang: Lang): string {
  const t = T[lang];
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport"` +
    ` content="width=device-width,initial-scale=1"><title>${t.notFound}</title>` +
    `<style>${STYLE}</style></head>
<body><main><div class="card"><h1 id="result-title">${t.notFound}</h1><p>${t.notFoundText}</p></div>` +
    `</main></body></html>`
  );
}

/** An open payment of a merchant the operator suspended (issue 12): nothing can be paid. */
export function renderSuspended(lang: Lang): string {
  const t = T[lang];
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport"` +
    ` content="width=device-width,initial-scale=1"><title>${t.suspended}</title>` +
    `<style>${STYLE}</style></head>
<body><main><div class="card"><h1 id="result-title">${t.suspended}</h1><p>${t.suspendedText}</p></div>` +
    `</main></body></html>`
  );
}

/** A POST that did not come from this page (another site's form): nothing was done. */
export function renderRefused(lang: Lang): string {
  const t = T[lang];
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport"` +
    ` content="width=device-width,initial-scale=1"><title>${t.refused}</title>` +
    `<style>${STYLE}</style></head>
<body><main><div class="card"><h1 id="result-title">${t.refused}</h1><p>${t.refusedText}</p></div>` +
    `</main></body></html>`
  );
}
