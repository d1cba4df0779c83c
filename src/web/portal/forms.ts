// Small HTML pieces shared by the portal's and the console's forms: every input has a visible label, and
// messages are announced to screen readers (role=alert / status).
import { esc } from '../html.js';

export interface FieldInput {
  label: string;
  name: string;
  type?: 'text' | 'password' | 'email' | 'url' | 'number';
  autocomplete?: string;
  required?: boolean;
  value?: string;
  hint?: string;
  inputmode?: 'numeric' | 'text';
  /** Autofocus the first field of a one-purpose page (login, code). */
  autofocus?: boolean;
  maxlength?: number;
  /** The element id when one page has two fields of the same name (two forms asking for the password). */
  id?: string;
}

export function field(f: FieldInput): string {
  const id = f.id ?? `f-${f.name.replace(/[^a-z0-9_-]/gi, '')}`;
  const hint = f.hint ? `<p class="hint" id="${id}-hint">${esc(f.hint)}</p>` : '';
  const attrs = [
    `id="${id}"`,
    `name="${esc(f.name)}"`,
    `type="${f.type ?? 'text'}"`,
    f.autocomplete ? `autocomplete="${esc(f.autocomplete)}"` : '',
    f.required ? 'required' : '',
    f.value !== undefined ? `value="${esc(f.value)}"` : '',
    f.inputmode ? `inputmode="${f.inputmode}"` : '',
    f.autofocus ? 'autofocus' : '',
    f.maxlength ? `maxlength="${f.maxlength}"` : '',
    f.hint ? `aria-describedby="${id}-hint"` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `<div class="field"><label for="${id}">${esc(f.label)}</label><input ${attrs}>${hint}</div>`;
}

export type NoticeKind = 'error' | 'ok' | 'info';

export function notice(kind: NoticeKind, text: string): string {
  const role = kind === 'error' ? 'alert' : 'status';
  return `<p class="notice ${kind}" role="${role}">${esc(text)}</p>`;
}

/** A form posting to `action`, with its CSRF field and one submit button. */
export function form(action: string, csrf: string, inner: string, button: string, cls = ''): string {
  return (
    `<form method="post" action="${esc(action)}"${cls ? ` class="${cls}"` : ''}>` +
    `<input type="hidden" name="_csrf" value="${esc(csrf)}">${inner}` +
    `<button type="submit">${esc(button)}</button></form>`
  );
}

/** A string field of a form body; undefined when absent or repeated. */
export function bodyField(body: unknown, name: string): string | undefined {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** "Your password" again, before a secret is shown or replaced; `id` keeps two such fields on a page apart. */
export const passwordAgain = (id: string, label = 'Your password'): string =>
  field({
    label,
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 200,
    id,
  });
