// The one rule for all text that comes in (query, path, form, JSON at any depth, header-borne ids): no
// control characters and no invalid UTF-16. PostgreSQL refuses NUL in text and lone surrogates in jsonb,
// and neither has a meaning in a payment; refusing them at the edge keeps them out of every layer below.
// Free text (a description, metadata, a JSON body's own layout) may hold TAB, LF and CR; single-line
// fields (identifiers, amounts, URLs, codes) may not.

/** C0 controls except TAB, LF, CR; DEL; C1 controls; lone surrogates (paired ones are one code point). */
const BAD_FREE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cs}/u;
/** Every C0 control (TAB, LF, CR too), DEL, C1, lone surrogates. */
const BAD_LINE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

/** True when `s` breaks the text rule; `singleLine` also refuses TAB, LF and CR. */
export function isBadText(s: string, singleLine = false): boolean {
  return (singleLine ? BAD_LINE : BAD_FREE).test(s);
}

/** Deep JSON values are walked only this far; anything deeper is refused (no legitimate body nests so). */
const MAX_DEPTH = 32;

/**
 * The path of the first string (value or key) in `value` that breaks the free-text rule, or undefined.
 * Walks objects and arrays at any depth; a value nested deeper than MAX_DEPTH counts as bad.
 */
export function findBadText(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return isBadText(value) ? path || 'value' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_DEPTH) return path || 'value';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadText(value[i], `${path}[${i}]`, depth + 1);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${k}` : k;
    if (isBadText(k, true)) return at;
    const bad = findBadText(v, at, depth + 1);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** `s` with every character the rule refuses replaced by U+FFFD, so a refusal can name it safely. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]|\p{Cs}/gu, '\uFFFD');
}
