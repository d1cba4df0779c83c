// Tender's hosted card page (createOrderByCreditCard's cashierURL, issue 13) and the sandbox 3-D Secure page (the
// "bank's" ACS). Server-rendered, no script and no inline style (the strict CSP: /assets/card.css only), every
// field labelled, usable by keyboard and on a phone. A card number or CVV is never written back into a page.
import { esc } from './html.js';

const shell = (title: string, body: string, lang = 'en') =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport"` +
  ` content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title>` +
  `<link rel="stylesheet" href="/assets/card.css"></head><body><main>${body}</main></body></html>`;

export interface CardPageView {
  code: string;
  brand: string;
  amount: string;
  currency: string;
  orderId: string;
  lang: 'en' | 'ru';
  sandbox: boolean;
  step: 'form' | 'challenge' | 'processing' | 'paid' | 'failed' | 'expired';
  error?: string;
  failure?: string;
  acsUrl?: string;
  backUrl?: string;
}

const T = {
  en: {
    title: 'Card payment',
    number: 'Card number',
    numberHint: '12 to 19 digits',
    expiry: 'Expiry date',
    expiryHint: 'MM/YY',
    cvv: 'Security code (CVV)',
    cvvHint: '3 or 4 digits on the back',
    holder: 'Name on the card',
    pay: 'Pay',
    challenge: 'Your bank asks you to confirm this payment (3-D Secure).',
    toBank: 'Continue to your bank',
    processing: 'Your payment is being processed.',
    paid: 'Payment successful',
    paidText: 'Your payment was accepted. Thank you.',
    failed: 'Payment refused',
    expired: 'Payment expired',
    expiredText: 'This payment link has expired. Nothing was charged.',
    back: 'Back to the shop',
    ref: 'Reference',
    sandbox: 'Sandbox: use a test card from the documentation (docs/cards.md). No money moves.',
  },
  ru: {
    title: 'Оплата картой',
    number: 'Номер карты',
    numberHint: 'от 12 до 19 цифр',
    expiry: 'Срок действия',
    expiryHint: 'ММ/ГГ',
    cvv: 'Код безопасности (CVV)',
    cvvHint: '3 или 4 цифры на обороте',
    holder: 'Имя на карте',
    pay: 'Оплатить',
    challenge: 'Ваш банк просит подтвердить платёж (3-D Secure).',
    toBank: 'Перейти в банк',
    processing: 'Платёж обрабатывается.',
    paid: 'Платёж выполнен',
    paidText: 'Ваш платёж принят. Спасибо.',
    failed: 'Платёж отклонён',
    expired: 'Срок платежа истёк',
    expiredText: 'Срок действия ссылки истёк. Деньги не списаны.',
    back: 'Вернуться в магазин',
    ref: 'Номер',
    sandbox: 'Песочница: используйте тестовую карту из документации (docs/cards.md). ' + 'Деньги не списываются.',
  },
} as const;

const REASONS: Record<string, string> = {
  insufficient_funds: 'Insufficient funds on the card.',
  stolen_card: 'The card was refused by its bank.',
  expired_card: 'The card has expired.',
  do_not_honour: 'The card was declined by its bank.',
  '3ds_failed': 'The 3-D Secure confirmation failed.',
  acquirer_timeout: 'The bank did not answer in time. Nothing was charged.',
  expired: 'This payment link has expired.',
};

export function renderCardPage(v: CardPageView): string {
  const t = T[v.lang];
  const head =
    `<div class="panel"><h1 id="brand">${esc(v.brand)}</h1><p class="amount" id="amount">${esc(v.amount)}` +
    ` ${esc(v.currency)}</p><p class="muted">${t.ref}: <span id="order-id">${esc(v.orderId)}</span></p></div>`;
  const back = v.backUrl ? `<a class="button" id="back" href="${esc(v.backUrl)}">${t.back}</a>` : '';
  let body: string;
  switch (v.step) {
    case 'form':
      body =
        `<div class="panel"><h2>${t.title}</h2>` +
        (v.error ? `<p class="error" id="error" role="alert">${esc(v.error)}</p>` : '') +
        `<form method="post" action="/pay/${encodeURIComponent(v.code)}/card" novalidate>` +
        `<label for="cardNumber">${t.number} <span class="hint" id="cardNumber-hint">${t.numberHint}</span></label>` +
        '<input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" required' +
        ' aria-describedby="cardNumber-hint" maxlength="23">' +
        `<div class="row"><div><label for="expDate">${t.expiry} <span class="hint" id="expDate-hint">` +
        `${t.expiryHint}</span></label><input id="expDate" name="expDate" autocomplete="cc-exp" required` +
        ' aria-describedby="expDate-hint" maxlength="5" placeholder="MM/YY"></div>' +
        `<div><label for="cvv">${t.cvv} <span class="hint" id="cvv-hint">${t.cvvHint}</span></label>` +
        '<input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" required aria-describedby="cvv-hint"' +
        ' maxlength="4"></div></div>' +
        `<label for="holder">${t.holder}</label><input id="holder" name="holder" autocomplete="cc-name" required` +
        ' maxlength="50">' +
        `<button type="submit" id="pay">${t.pay} ${esc(v.amount)} ${esc(v.currency)}</button></form>` +
        (v.sandbox ? `<p class="note">${t.sandbox}</p>` : '') +
        '</div>';
      break;
    case 'challenge':
      body =
        `<div class="panel"><p id="challenge">${t.challenge}</p>` +
        `<a class="button" id="to-bank" href="${esc(v.acsUrl ?? '')}">${t.toBank}</a></div>`;
      break;
    case 'processing':
      body = `<div class="panel"><p id="processing">${t.processing}</p></div>`;
      break;
    case 'paid':
      body =
        `<div class="panel" id="result"><h2 id="result-title">${t.paid}</h2><p class="ok">${t.paidText}</p>` +
        `${back}</div>`;
      break;
    case 'failed':
      body =
        `<div class="panel" id="result"><h2 id="result-title">${t.failed}</h2><p class="error" id="reason">` +
        `${esc(REASONS[v.failure ?? ''] ?? 'The payment did not go through.')}</p>${back}</div>`;
      break;
    case 'expired':
      body =
        `<div class="panel" id="result"><h2 id="result-title">${t.expired}</h2><p class="error">${t.expiredText}</p>` +
        `${back}</div>`;
      break;
  }
  return shell(
    `${t.title} · ${v.brand}`,
    `${head}${body}<footer>Tender${v.sandbox ? ' · sandbox' : ''}</footer>`,
    v.lang,
  );
}

export function renderCardMessage(title: string, text: string): string {
  return shell(title, `<div class="panel"><h1 id="result-title">${esc(title)}</h1><p>${esc(text)}</p></div>`);
}

/** The sandbox ACS page: the one-time code (1234 passes), or cancel. */
export function renderAcsPage(v: { id: string; amount: string; currency: string; answered: boolean }): string {
  if (v.answered)
    return renderCardMessage('Already answered', 'This 3-D Secure request was already answered. Close this page.');
  return shell(
    '3-D Secure · Sandbox bank',
    `<div class="panel"><h1>Sandbox bank · 3-D Secure</h1><p>Confirm the payment of <strong id="acs-amount">` +
      `${esc(v.amount)} ${esc(v.currency)}</strong>.</p><p class="note">Sandbox: the code is 1234; any other code` +
      ` fails the check.</p><form method="post" action="/sandbox-acs/${encodeURIComponent(v.id)}">` +
      '<label for="code">One-time code <span class="hint" id="code-hint">sent to your phone</span></label>' +
      '<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" aria-describedby="code-hint"' +
      ' maxlength="8">' +
      '<button type="submit" id="acs-submit" name="answer" value="code">Confirm</button>' +
      '<button type="submit" id="acs-cancel" name="answer" value="cancel" class="secondary">Cancel payment</button>' +
      '</form></div>',
  );
}
