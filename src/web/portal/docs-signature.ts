// The signature page: §16's recipe step by step, worked examples computed here on the server with the same
// signParams() every request is checked with, and a form whose external script (/assets/signature.js)
// computes the same in the browser with WebCrypto. The key typed there never leaves the browser: the form
// has no action and no submit button, and the script only writes to the page.
import { canonicalString, SIGNATURE_RECIPES, signParams, type Params } from '../../domain/signature.js';
import { esc } from '../html.js';
import { tableBox } from './docs-layout.js';

/** Seed 001 §16's parameters (`yy` is empty, so it is left out) with the worked key of shared/spec/cpay.md. */
export const SEED_VECTOR: { params: Params; key: string } = {
  params: { aa: 'hello', xx: '1001', yy: '' },
  key: 'abc123',
};
/** The recipes differ only on empty and "0" values (docs/signatures.md): this vector shows all three. */
export const RECIPE_VECTOR: { params: Params; key: string } = {
  params: { aa: 'hello', xx: '1001', yy: '', zz: '0' },
  key: 'abc123',
};

const RECIPE_WHO: Record<(typeof SIGNATURE_RECIPES)[number], string> = {
  text: "§16's text and the Go demos: empty values are left out (what Tender's webhooks and SDK use)",
  'all-params': 'the PHP and Java demos of seed 001: nothing is left out, an empty value is written k=',
  'php-empty': 'the newer PHP demo (!empty()): "" and "0" are left out',
};

const lines = (p: Params) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

function workedExample(): string {
  const { params, key } = SEED_VECTOR;
  const text = canonicalString(params, key);
  return (
    '<ol class="steps">' +
    `<li>Parameters as sent: <code>${esc(
      Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join('&'),
    )}</code> ` +
    '(<code>yy</code> is empty, so it is left out; <code>sign</code> is never signed).</li>' +
    '<li>Sort by name in byte order and join with <code>&amp;</code>, then append <code>&amp;key=</code> and your ' +
    `Security Key (here <code>${esc(key)}</code>): <code id="server-canonical">${esc(text)}</code></li>` +
    '<li>HMAC-SHA256 of that text keyed by the Security Key, lowercase hex: ' +
    `<code id="server-sign">${signParams(params, key)}</code></li>` +
    '</ol>'
  );
}

function recipeTable(): string {
  const { params, key } = RECIPE_VECTOR;
  const rows = SIGNATURE_RECIPES.map(
    (r) =>
      `<tr><th scope="row"><code>${r}</code></th><td>${esc(RECIPE_WHO[r])}</td>` +
      `<td><code>${esc(canonicalString(params, key, r))}</code></td>` +
      `<td><code class="hex">${signParams(params, key, r)}</code></td></tr>`,
  ).join('');
  return (
    `<p>With <code>${esc(
      Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join('&'),
    )}</code> and key ` +
    `<code>${esc(key)}</code>, the recipes Tender accepts sign:</p>` +
    `${tableBox('Accepted recipes')}<table><caption>Accepted recipes</caption><thead><tr><th scope="col">recipe</th>` +
    '<th scope="col">who signs this way</th><th scope="col">signed text</th><th scope="col">sign</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div>`
  );
}

function playground(): string {
  const options = SIGNATURE_RECIPES.map((r) => `<option value="${r}">${r}</option>`).join('');
  return `<form id="sig-form" class="card" autocomplete="off" data-state="idle">
<p class="hint">Computed in your browser by <code>/assets/signature.js</code> with WebCrypto; the key is never sent.</p>
<label for="sig-params">Parameters, one <code>name=value</code> per line (values exactly as you send them)</label>
<textarea id="sig-params" name="params" rows="6" spellcheck="false">${esc(lines(SEED_VECTOR.params))}</textarea>
<label for="sig-key">Security Key</label>
<input id="sig-key" name="key" type="text" value="${esc(SEED_VECTOR.key)}" spellcheck="false" autocomplete="off">
<label for="sig-recipe">Recipe</label>
<select id="sig-recipe" name="recipe">${options}</select>
<label for="sig-expected">Compare with a sign (optional)</label>
<input id="sig-expected" name="expected" type="text" spellcheck="false" autocomplete="off">
<button type="button" id="sig-compute">Compute the signature</button>
<p id="sig-error" class="error" role="alert"></p>
<dl class="result">
<dt>Signed text</dt><dd><output id="sig-canonical" for="sig-params sig-key sig-recipe"></output></dd>
<dt>sign</dt><dd><output id="sig-sign" class="hex" for="sig-params sig-key sig-recipe"></output></dd>
<dt>Comparison</dt><dd><output id="sig-compare" for="sig-expected" aria-live="polite"></output></dd>
</dl>
<noscript><p>This calculator needs JavaScript; the examples above were computed by the server.</p></noscript>
</form>`;
}

export function signatureBody(): string {
  return `<p>Every request of the openapi (C-Pay) dialect carries <code>sign</code>, and every webhook Tender sends in
a cpay format is signed the same way with your Security Key (seed 001 §16).</p>
<h2>Worked example (computed by the server)</h2>
${workedExample()}
<h2>Recipes</h2>
${recipeTable()}
<h2>Try it in your browser</h2>
${playground()}
<h2>Rules</h2>
<ul>
<li>Leave out <code>sign</code> and every parameter whose value is empty.</li>
<li>Sort names in plain byte order (UTF-8): upper-case letters before lower-case.</li>
<li>Use values exactly as sent: no URL-encoding, no trimming. A JSON field (<code>products</code>, <code>data</code>)
is signed as the raw JSON text you send for it.</li>
<li><code>createTime</code> must be within 24 hours of Tender's clock (milliseconds, seconds or
<code>yyyyMMddHHmmss</code> UTC).</li>
<li>A mismatch answers <a href="/docs/errors#error-bad_sign">10004 BAD_SIGN</a>.</li>
</ul>`;
}
