// The hosted checkout page: server-rendered, no framework, no external assets, small enough for a slow
// phone or a WebView. A few lines of inline script count the time down, poll for status changes and
// keep the sandbox buttons from being pressed twice; the page works without them. Crypto orders add a
// network picker, then the deposit address, the exact chain amount, a server-made QR code of the payment
// URI and a copy button (crypto-view.ts).
import { esc } from './html.js';
import type { CryptoView } from './crypto-view.js';

export interface CheckoutView {
  /** This response's CSP nonce: the page's own script carries it, nothing else can run. */
  nonce: string;
  code: string;
  brand: string;
  amount: string;
  currency: string;
  orderId: string;
  status: number;
  statusText: string;
  expiresAt: Date;
  now: Date;
  sandbox: boolean;
  redirect: string | null;
  returnUrl: string | null;
  /** Crypto orders on a configured network: the network picker, or the address, amount and QR code. */
  crypto?: CryptoView | null;
}

const STYLE =
  `
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;` +
  `color:#1d2330;overflow-wrap:anywhere}
main{max-width:440px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:16px;box-shadow:0 1px 3px rgba(16,24,40,.1),0 1px 2px rgba(16,24,` +
  `40,.06);padding:22px 20px}
.merchant{display:flex;align-items:center;gap:12px;margin-bottom:18px}
.logo{flex:none;width:40px;height:40px;border-radius:10px;background:#1d4ed8;color:#fff;display:flex;` +
  `align-items:center;justify-content:center;font-weight:700;font-size:18px}
h1{font-size:17px;line-height:1.3;margin:0}.muted{color:#667085;font-size:14px}.small{font-size:13px}
.label{color:#667085;font-size:13px;text-transform:uppercase;letter-spacing:.04em;margin-top:4px}
.amount{font-size:clamp(24px,8vw,34px);font-weight:700;line-height:1.2;margin:2px 0 12px;` +
  `font-variant-numeric:tabular-nums}
.amount .cur{font-size:.6em;font-weight:600;color:#475467;margin-left:4px}
.row{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px;` +
  `padding:12px 0;border-top:1px solid #eaecf0}
.status{display:inline-block;padding:3px 10px;border-radius:99px;font-size:13px;font-weight:600;` +
  `background:#eef4ff;color:#3538cd}
.status.paid{background:#ecfdf3;color:#067647}.status.failed,.status.expired{background:#fef3f2;` +
  `color:#b42318}.status.processing{background:#fffaeb;color:#b54708}
.result{margin:14px 0 0;padding:12px 14px;border-radius:10px;background:#f9fafb}
.result.paid{background:#ecfdf3;color:#054f31}.result.failed,.result.expired{background:#fef3f2;color:#7a271a}
.sandbox{margin:14px 0 4px;padding:8px 12px;border-radius:8px;background:#fffaeb;color:#93370d;font-size:13px}
button{-webkit-appearance:none;appearance:none;font:inherit;font-weight:600;width:100%;` +
  `min-height:50px;padding:12px 16px;border:0;border-radius:12px;margin-top:10px;cursor:pointer}
button:disabled{opacity:.6;cursor:default}
.pay{background:#1d4ed8;color:#fff}.fail{background:#fff;color:#b42318;border:1px solid #fda29b}
a.back{display:block;text-align:center;margin-top:16px;padding:12px;border-radius:12px;` +
  `background:#1d4ed8;color:#fff;text-decoration:none;font-weight:600}
footer{text-align:center;color:#98a2b3;font-size:12px;margin-top:14px}
.pick{margin-top:14px}.pick p{margin:0 0 4px}.pick .warn{margin-top:12px}
.net{display:flex;justify-content:space-between;align-items:center;background:#fff;color:#1d2330;` +
  `border:1px solid #d0d5dd;text-align:left}
.net:not(:disabled):hover{border-color:#1d4ed8}.net small{font-weight:400;color:#667085;font-size:13px}
.crypto{margin-top:14px;text-align:center}.crypto .send{margin:0 0 10px;text-align:left}
.qr{width:min(208px,60vw);margin:0 auto;line-height:0}.qr svg{width:100%;height:auto;display:block}
.addr{margin:10px 0 0;padding:10px 12px;border-radius:10px;background:#f2f4f7;font:14px/1.4` +
  ` ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;text-align:left;` +
  `-webkit-user-select:all;user-select:all}
.copy{background:#eef4ff;color:#1d4ed8}.wallet{display:block;margin-top:10px;font-weight:600;` +
  `color:#1d4ed8;text-decoration:none}
.warn{margin:12px 0 0;text-align:left}`;

type Tone = 'open' | 'processing' | 'paid' | 'failed' | 'expired';

export function statusText(status: number, remark: string): string {
  switch (status) {
    case 0:
      return 'Awaiting payment';
    case 11:
      return 'Payment processing';
    case 14:
      return 'Paid';
    default:
      return remark === 'expired' ? 'Expired' : 'Payment failed';
  }
}

const MESSAGES: Record<Exclude<Tone, 'open'>, string> = {
  processing: 'Your payment has been seen and is waiting for confirmation. This page updates by itself.',
  paid: 'This order has been paid. Thank you.',
  failed: 'This payment did not go through. No money was taken.',
  expired: 'This order has expired and can no longer be paid.',
};

/** h:mm:ss from an hour up, m:ss below. */
export function formatLeft(s: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

export function renderCheckout(v: CheckoutView): string {
  const secondsLeft = Math.max(0, Math.floor((v.expiresAt.getTime() - v.now.getTime()) / 1000));
  const open = v.status === 0 && secondsLeft > 0;
  const tone: Tone =
    v.status === 14
      ? 'paid'
      : v.status === 11
        ? 'processing'
        : v.status === 15
          ? v.statusText === 'Expired'
            ? 'expired'
            : 'failed'
          : open
            ? 'open'
            : 'expired';
  const label = tone === 'expired' ? 'Expired' : v.statusText;
  const redirectField = v.redirect ? `<input type="hidden" name="redirect" value="${esc(v.redirect)}">` : '';
  const actions =
    open && v.sandbox
      ? `<p class="sandbox">Sandbox: no money moves. Choose the outcome of this test payment.</p>
<form method="post" action="/pay/${esc(v.code)}/sandbox" id="actions">${redirectField}
<button class="pay" type="submit" name="outcome" value="pay" id="pay">Pay ${esc(v.amount)} ${esc(v.currency)}</button>
<button class="fail" type="submit" name="outcome" value="fail" id="fail">Fail payment</button></form>`
      : open
        ? '<p class="result">Follow the payment instructions. This page updates by itself once the payment arrives.</p>'
        : '';
  const crypto = v.crypto ?? null;
  const result = tone === 'open' ? '' : `<p class="result ${tone}" id="result">${MESSAGES[tone]}</p>`;
  const back =
    !open && v.returnUrl ? `<a class="back" id="back" href="${esc(v.returnUrl)}">Return to ${esc(v.brand)}</a>` : '';
  const initial = (v.brand.trim()[0] ?? '?').toUpperCase();
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>Pay ${esc(v.brand)}</title><style>${STYLE}</style></head>
<body><main><div class="card" data-code="${esc(v.code)}" data-status="${v.status}">
<div class="merchant"><div class="logo" aria-hidden="true">${esc(initial)}</div><div><h1` +
    ` id="brand">${esc(v.brand)}</h1><div class="muted small">Order <span` +
    ` id="order">${esc(v.orderId)}</span></div></div></div>
<div class="label">Amount due</div>
<div class="amount" id="amount">${esc(v.amount)} <span class="cur" id="currency">${esc(v.currency)}</span></div>
<div class="row"><span class="status ${tone}" id="status">${esc(label)}</span>
${
  open
    ? `<span class="muted">Time left <strong id="timeleft"` +
      ` data-seconds="${secondsLeft}">${formatLeft(secondsLeft)}</strong></span>`
    : ''
}</div>
${
  crypto && crypto.kind === 'done'
    ? `<div class="row"><span class="muted">Network</span><strong` +
      ` id="network">${esc(crypto.network)}</strong></div>`
    : ''
}
${open && crypto ? renderCrypto(v, crypto) : ''}${result}${open && crypto && !v.sandbox ? '' : actions}${back}
</div><footer>Secure checkout by Tender</footer></main>
<script nonce="${esc(v.nonce)}">
(function(){
var card=document.querySelector('.card'),t=document.getElementById('timeleft'),sent=false;
function two(n){return (n<10?'0':'')+n}
function left(s){var h=Math.floor(s/3600),m=Math.floor(s%3600/60);return h>0?h+':'+two(m)+':'+two(s%60):m+':'+two(s%60)}
if(t){var end=Date.now()+(+t.getAttribute('data-seconds'))*1000;setInterval(function(){
var r=Math.max(0,Math.round((end-Date.now())/1000));t.textContent=left(r);if(r===0)location.reload();},1000);}
var fs=document.querySelectorAll('form');for(var k=0;k<fs.length;` +
    `k++)(function(f){f.addEventListener('submit',function(e){if(sent){e.preventDefault();return;}` +
    `sent=true;
setTimeout(function(){var b=document.querySelectorAll('form button');for(var i=0;i<b.length;` +
    `i++)b[i].disabled=true;},0);});})(fs[k]);
var cp=document.getElementById('copy'),ad=document.getElementById('address');
if(cp&&ad){var label=cp.textContent;cp.addEventListener('click',function(){var v=cp.getAttribute('data-copy');
function done(how){cp.setAttribute('data-copied',how);` +
    `cp.textContent=how==='clipboard'?'Copied':how==='selected'?'Copied':'Selected: copy it now';` +
    `setTimeout(function(){cp.textContent=label;},2500);}
function select(){var r=document.createRange();r.selectNodeContents(ad);var s=window.getSelection();` +
    `s.removeAllRanges();s.addRange(r);
var ok=false;try{ok=document.execCommand('copy');}catch(x){}done(ok?'selected':'selection');}
if(navigator.clipboard&&navigator.clipboard.writeText&&window.isSecureContext!==false){` +
    `navigator.clipboard.writeText(v).then(function(){done('clipboard');` +
    `},select);}else select();});}
var st=card.getAttribute('data-status');
if(st==='0'||st==='11'){var busy=false;var check=function(){if(busy||sent)return;busy=true;
fetch('/pay/'+encodeURIComponent(card.getAttribute('data-code'))+'/status',{cache:'no-store'})
.then(function(r){return r.json()}).then(function(j){busy=false;` +
    `if(String(j.status)!==st)location.reload();}).catch(function(){busy=false;});};
setInterval(check,3000);document.addEventListener('visibilitychange',function(){if(!document.hidden)check();});}
})();
</script></body></html>`
  );
}

/** The crypto part: a network picker, or what to send where with the QR code of the payment URI. */
function renderCrypto(v: CheckoutView, c: CryptoView): string {
  const redirectField = v.redirect ? `<input type="hidden" name="redirect" value="${esc(v.redirect)}">` : '';
  if (c.kind === 'pick') {
    const none = c.choices.every((n) => !n.available);
    const hint = none
      ? '<p class="result failed">This amount cannot be paid exactly on any network.</p>'
      : '<p class="muted small warn">Pay on the network you choose: the address is only for that network.</p>';
    return `<form class="pick" method="post" action="/pay/${esc(v.code)}/network" id="networks">${redirectField}
<p class="label">Choose the network you pay on</p>
${c.choices
  .map((n) => {
    const note = n.available ? `<small>${esc(v.currency)}</small>` : '<small>not for this amount</small>';
    return (
      `<button class="net" type="submit" name="network" value="${esc(n.name)}"${n.available ? '' : ' disabled'}>` +
      `${esc(n.name)}${note}</button>`
    );
  })
  .join('\n')}
${hint}</form>`;
  }
  if (c.kind !== 'pay') return '';
  return (
    `<section class="crypto" id="crypto" data-network="${esc(c.network)}" data-uri="${esc(c.uri)}">
<p class="send">Send exactly <strong id="chain-amount">${esc(c.amount)} ${esc(c.asset)}</strong> on ` +
    `<strong id="network">${esc(c.network)}</strong> to:</p>
<div class="qr" id="qr" role="img" aria-label="QR code of the payment request">${c.qrSvg}</div>
<div class="addr" id="address">${esc(c.address)}</div>
<button class="copy" type="button" id="copy" data-copy="${esc(c.address)}">Copy address</button>
<a class="wallet" id="wallet" href="${esc(c.uri)}">Open in a wallet app</a>
<p class="muted small warn">Send only ${esc(c.asset)} on ${esc(c.network)} to this address, in one` +
    ` payment of the exact amount. This page updates by itself once it arrives.</p>
</section>`
  );
}

export function renderMessage(title: string, message: string, detail?: string, link?: string): string {
  const detailHtml = detail ? `<p class="muted small" id="detail">${esc(detail)}</p>` : '';
  const linkHtml = link ? `<a class="back" id="again" href="${esc(link)}">Back to the payment</a>` : '';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport"` +
    ` content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main><div class="card"><h1 id="title">${esc(title)}</h1><p` +
    ` id="message">${esc(message)}</p>${detailHtml}${linkHtml}</div>
<footer>Secure checkout by Tender</footer></main></body></html>`
  );
}
