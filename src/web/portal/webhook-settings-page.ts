// The webhook settings page: the saved settings as a form, a "send test webhook" button, and, after a test,
// the exact request Tender sent and the answer it got.
import type { TestWebhookReport } from '../../core/webhook-test.js';
import { esc } from '../html.js';
import { tableBox } from './docs-layout.js';

export interface WebhookSettingsView {
  csrf: string;
  /** The values the form shows: the saved ones, or what was typed when saving failed. */
  callbackUrl: string;
  webhookFormat: string;
  allowedHosts: string;
  /** The saved callback URL (the test goes there), which may differ from a refused value being shown. */
  savedCallbackUrl: string | null;
  mode: 'sandbox' | 'live';
  notice?: { kind: 'ok' | 'error'; text: string };
  report?: TestWebhookReport;
}

const FORMATS: Array<[string, string]> = [
  ['cpay', 'cpay: the newer C-Pay format, a form field param holding JSON; answer success. Final states only.'],
  [
    'cpay-legacy',
    'cpay-legacy: seed 001 §15, every field as its own form field; answer OK. ' + 'Also notifies PROCESSING.',
  ],
];

const headerText = (h: Array<[string, string]>) => h.map(([k, v]) => `${k}: ${v}`).join('\n');

function reportHtml(r: TestWebhookReport): string {
  const fields = r.request.fields
    .map(([k, v]) => `<tr><th scope="row"><code>${esc(k)}</code></th><td><code>${esc(v)}</code></td></tr>`)
    .join('');
  const answer = r.answer
    ? `<dl class="result">
<dt>Status</dt><dd id="test-answer-status">${r.answer.status}</dd>
<dt>Time</dt><dd id="test-duration">${r.durationMs} ms</dd>
<dt>Acknowledged</dt><dd id="test-ack" class="${r.acknowledged ? 'ok' : 'error'}">${
        r.acknowledged
          ? 'yes: Tender would count this webhook as delivered'
          : `no: Tender would retry (answer HTTP 2xx with the text ${esc(r.expected)})`
      }</dd>
</dl>
<h4>Answer headers</h4><pre id="test-answer-headers">${esc(headerText(r.answer.headers))}</pre>
<h4>Answer body (first bytes)</h4><pre id="test-answer-body">${esc(r.answer.body)}</pre>`
    : '<p id="test-error" class="notice error" role="alert">' +
      `No answer after ${r.durationMs} ms: ${esc(r.error ?? '')}</p>`;
  return `<section id="test-report" aria-labelledby="test-report-h">
<h2 id="test-report-h">Test webhook sent ${esc(r.sentAt.toISOString())}</h2>
<p>Format <code>${esc(r.format)}</code>. It is marked as a test: header <code>x-tender-test: 1</code>, an orderId
starting <code>TEST-</code>; no order exists and nothing is retried.</p>
<h3>Request</h3>
<pre id="test-request-line">POST ${esc(r.request.url)}</pre>
<h4>Headers</h4><pre id="test-request-headers">${esc(headerText(r.request.headers))}</pre>
<h4>Body</h4><pre id="test-request-body">${esc(r.request.body)}</pre>
${tableBox("The body's fields")}<table><caption>The body's fields</caption><thead><tr><th scope="col">field</th>
<th scope="col">value</th></tr></thead><tbody>${fields}</tbody></table></div>
<h3>Answer</h3>
${answer}
</section>`;
}

export function webhookSettingsBody(v: WebhookSettingsView): string {
  const notice = v.notice
    ? `<p id="notice" class="notice ${v.notice.kind}" role="${v.notice.kind === 'error' ? 'alert' : 'status'}">${esc(
        v.notice.text,
      )}</p>`
    : '';
  const radios = FORMATS.map(
    ([value, label]) =>
      `<div class="radio"><input type="radio" id="format-${value}" name="webhookFormat" value="${value}"${
        v.webhookFormat === value ? ' checked' : ''
      }> <label for="format-${value}">${esc(label)}</label></div>`,
  ).join('');
  const csrf = `<input type="hidden" name="_csrf" value="${esc(v.csrf)}">`;
  const test = v.savedCallbackUrl
    ? `<p>Sends a signed test webhook to <code id="saved-callback">${esc(v.savedCallbackUrl)}</code> now and shows
the exact request and the answer.</p><button type="submit" id="send-test">Send test webhook</button>`
    : '<p>Save a callback URL first.</p><button type="submit" id="send-test" disabled>Send test webhook</button>';
  return `${notice}
<p>Where Tender sends payment notifications, and where customers may be sent back. ${
    v.mode === 'live'
      ? 'Live mode: callback URLs must reach a public address (no loopback or private networks).'
      : 'Sandbox mode: local receivers (127.0.0.1) are allowed.'
  } Signatures: <a href="/docs/signature">how to verify</a>.</p>
<form method="post" action="/webhooks" class="card" id="settings-form">
${csrf}
<label for="callbackUrl">Default callback URL</label>
<p class="hint" id="callbackUrl-hint">Used when an order names no callback URL of its own. Leave empty for none.</p>
<input type="url" id="callbackUrl" name="callbackUrl" value="${esc(v.callbackUrl)}" aria-describedby="callbackUrl-hint"
 inputmode="url" autocomplete="url" spellcheck="false">
<fieldset><legend>Webhook format</legend>${radios}</fieldset>
<label for="allowedHosts">Allowed redirect hosts</label>
<p class="hint" id="allowedHosts-hint">One host name per line (e.g. shop.example.com): where success, fail and return
URLs may send your customers.</p>
<textarea id="allowedHosts" name="allowedHosts" rows="4" spellcheck="false" aria-describedby="allowedHosts-hint">${esc(
    v.allowedHosts,
  )}</textarea>
<button type="submit" id="save">Save</button>
</form>
<form method="post" action="/webhooks/test" class="card" id="test-form">
${csrf}
${test}
</form>
${v.report ? reportHtml(v.report) : ''}`;
}
