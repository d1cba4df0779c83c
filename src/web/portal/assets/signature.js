// Tender's signature calculator (/docs/signature). Same recipe as src/domain/signature.ts: parameters
// except `sign`, filtered by the recipe, sorted by name in UTF-8 byte order, joined `k=v` with `&`, then
// `&key=<key>`; HMAC-SHA256 keyed by the key, lowercase hex. Runs only in the browser (WebCrypto); the key
// is never sent anywhere. Served as an external file: the portal's CSP allows no inline script.
(() => {
  const encoder = new TextEncoder();

  /** Plain byte order of the UTF-8 encodings, as the server sorts (Buffer.compare), not UTF-16 order. */
  const byteOrder = (a, b) => {
    const x = encoder.encode(a);
    const y = encoder.encode(b);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  };

  const KEEPS = {
    text: (v) => v !== '',
    'all-params': () => true,
    'php-empty': (v) => v !== '' && v !== '0',
  };

  /** `name=value` lines (split at the first `=`); blank lines are skipped; a later name wins. */
  const parseLines = (text) => {
    const params = {};
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line === '') continue;
      const eq = line.indexOf('=');
      if (eq < 1) throw new Error(`line ${i + 1} is not name=value`);
      params[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return params;
  };

  const canonicalString = (params, key, recipe = 'text') => {
    const keep = KEEPS[recipe];
    if (!keep) throw new Error(`unknown recipe ${recipe}`);
    const names = Object.keys(params)
      .filter((k) => k !== 'sign' && keep(params[k]))
      .sort(byteOrder);
    return `${names.map((k) => `${k}=${params[k]}`).join('&')}&key=${key}`;
  };

  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

  const hmacSha256 = async (key, text) => {
    if (!globalThis.crypto?.subtle) throw new Error('this browser offers no WebCrypto here (it needs HTTPS)');
    if (key === '') throw new Error('enter the Security Key');
    const k = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    return hex(await crypto.subtle.sign('HMAC', k, encoder.encode(text)));
  };

  const sign = async (params, key, recipe = 'text') => hmacSha256(key, canonicalString(params, key, recipe));

  // For the test suite and for readers who prefer the console.
  globalThis.TenderSignature = { parseLines, canonicalString, sign };

  const form = document.getElementById('sig-form');
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  let latest = 0;
  const compute = async () => {
    const seq = ++latest;
    form.dataset.state = 'busy';
    let text = '';
    let signature = '';
    let error = '';
    try {
      const params = parseLines($('sig-params').value);
      text = canonicalString(params, $('sig-key').value, $('sig-recipe').value);
      signature = await hmacSha256($('sig-key').value, text);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (seq !== latest) return; // a newer computation owns the outputs
    $('sig-canonical').textContent = text;
    $('sig-sign').textContent = signature;
    $('sig-error').textContent = error;
    const expected = $('sig-expected').value.trim().toLowerCase();
    $('sig-compare').textContent =
      expected === '' || signature === '' ? '' : expected === signature ? 'matches' : 'does not match';
    form.dataset.state = 'done';
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    compute();
  });
  form.addEventListener('input', () => compute());
  $('sig-compute').addEventListener('click', () => compute());
  compute();
})();
