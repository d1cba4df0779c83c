// The hosted checkout page: server-rendered, no framework, small enough for a slow phone or a WebView.
import { esc } from './html.js';

export interface CheckoutView {
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
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
main{max-width:420px;margin:0 auto;padding:20px}.card{background:#fff;border-radius:14px;box-shadow:0 1px 4px rgba(0,0,0,.08);padding:22px}
h1{font-size:18px;margin:0 0 4px}.muted{color:#667085;font-size:14px}.amount{font-size:32px;font-weight:700;margin:16px 0 4px}
.status{display:inline-block;padding:3px 10px;border-radius:99px;font-size:13px;background:#eef2ff;color:#3538cd}
.status.s14{background:#ecfdf3;color:#067647}.status.s15{background:#fef3f2;color:#b42318}
button{width:100%;padding:14px;border:0;border-radius:10px;font-size:16px;font-weight:600;margin-top:12px;cursor:pointer}
.pay{background:#1d4ed8;color:#fff}.fail{background:#fff;color:#b42318;border:1px solid #fda29b}
.note{margin-top:14px;font-size:13px;color:#667085}a.back{display:block;text-align:center;margin-top:16px}`;

export function statusText(status: number, remark: string): string {
  switch (status) {
    case 0: return 'Awaiting payment';
    case 11: return 'Payment processing';
    case 14: return 'Paid';
    default: return remark === 'expired' ? 'Expired' : 'Payment failed';
  }
}

export function renderCheckout(v: CheckoutView): string {
  const secondsLeft = Math.max(0, Math.floor((v.expiresAt.getTime() - v.now.getTime()) / 1000));
  const open = v.status === 0 && secondsLeft > 0;
  const redirectField = v.redirect ? `<input type="hidden" name="redirect" value="${esc(v.redirect)}">` : '';
  const actions = open && v.sandbox
    ? `<form method="post" action="/pay/${esc(v.code)}/sandbox">${redirectField}
         <p class="muted">Sandbox mode: no money moves. Choose the outcome.</p>
         <button class="pay" name="outcome" value="pay" id="pay">Pay ${esc(v.amount)} ${esc(v.currency)}</button>
         <button class="fail" name="outcome" value="fail" id="fail">Fail payment</button></form>`
    : open ? '<p class="note">Follow the payment instructions.</p>' : '';
  const done = v.status === 14 ? '<p id="result">This order has been paid. Thank you.</p>'
    : v.status === 15 ? `<p id="result">${v.statusText === 'Expired' ? 'This order has expired and can no longer be paid.' : 'This payment did not go through.'}</p>`
      : !open ? '<p id="result">This order has expired and can no longer be paid.</p>' : '';
  const back = !open && v.returnUrl ? `<a class="back" id="back" href="${esc(v.returnUrl)}">Return to ${esc(v.brand)}</a>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Pay ${esc(v.brand)}</title><style>${STYLE}</style></head>
<body><main><div class="card" data-code="${esc(v.code)}" data-status="${v.status}">
<h1 id="brand">${esc(v.brand)}</h1><div class="muted">Order ${esc(v.orderId)}</div>
<div class="amount" id="amount">${esc(v.amount)} <span id="currency">${esc(v.currency)}</span></div>
<span class="status s${v.status}" id="status">${esc(open || v.status !== 0 ? v.statusText : 'Expired')}</span>
${open ? `<p class="muted">Time left: <strong id="timeleft" data-seconds="${secondsLeft}">${fmt(secondsLeft)}</strong></p>` : ''}
${done}${actions}${back}
</div></main>
<script>
(function(){var t=document.getElementById('timeleft');var card=document.querySelector('.card');
if(t){var s=+t.dataset.seconds;var end=Date.now()+s*1000;setInterval(function(){var r=Math.max(0,Math.round((end-Date.now())/1000));
t.textContent=Math.floor(r/60)+':'+String(r%60).padStart(2,'0');if(r===0)location.reload();},1000);}
if(card.dataset.status==='0'||card.dataset.status==='11'){setInterval(function(){fetch('/pay/'+card.dataset.code+'/status',{cache:'no-store'})
.then(function(r){return r.json()}).then(function(j){if(String(j.status)!==card.dataset.status)location.reload();}).catch(function(){});},3000);}
})();
</script></body></html>`;
}

function fmt(s: number): string { return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`; }

export function renderMessage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body><main><div class="card"><h1>${esc(title)}</h1><p id="message">${esc(message)}</p></div></main></body></html>`;
}
