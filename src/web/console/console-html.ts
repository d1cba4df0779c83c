// HTML pieces of the console's pages (tables, fields, notices). The frame around them (header, navigation,
// logout, the one stylesheet /assets/portal.css) is the portal's: consolePage() of src/web/portal/layout.ts.
import { esc } from '../html.js';
import type { OperatorSession } from './console-session.js';

/** The CSRF field every console form carries (the session's token). */
export const csrfField = (s: OperatorSession) => `<input type="hidden" name="_csrf" value="${esc(s.csrf)}">`;

export const notice = (text: string, error = false) =>
  `<p class="notice ${error ? 'error' : 'info'}" role="${error ? 'alert' : 'status'}">${esc(text)}</p>`;

/** A table in a scrollable wrapper (phones), with a caption for screen readers. */
export function table(caption: string, head: string[], rows: string[][], numeric: number[] = []): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.length
    ? rows
        .map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`)
        .join('')
    : `<tr><td colspan="${head.length}" class="muted">Nothing to show.</td></tr>`;
  return (
    // Focusable and named: a keyboard user can scroll a wide table on a phone (WCAG 2.1.1).
    `<div class="table-wrap" tabindex="0" role="region" aria-label="${esc(caption)}">` +
    `<table><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}

export function field(
  name: string,
  label: string,
  opts: { value?: string; type?: string; required?: boolean; hint?: string; autocomplete?: string } = {},
): string {
  const id = `f-${name}`;
  const hint = opts.hint ? `<p class="hint" id="${id}-hint">${esc(opts.hint)}</p>` : '';
  return (
    `<div class="field"><label for="${id}">${esc(label)}</label><input id="${id}" name="${name}"` +
    ` type="${opts.type ?? 'text'}"${opts.value !== undefined ? ` value="${esc(opts.value)}"` : ''}` +
    `${opts.required ? ' required' : ''}${opts.hint ? ` aria-describedby="${id}-hint"` : ''}` +
    ` autocomplete="${opts.autocomplete ?? 'off'}">${hint}</div>`
  );
}
