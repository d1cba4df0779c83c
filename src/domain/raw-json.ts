// Reads the top-level members of a JSON object keeping each value's raw text, because the openapi
// signature covers values exactly as the merchant sent them ("1.10" must not become 1.1, nested
// objects are signed as their raw JSON text). Strings are unescaped; other values stay verbatim.
import { TenderError } from './errors.js';

export function topLevelRawFields(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TenderError('MALFORMED_BODY', 'body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TenderError('MALFORMED_BODY', 'JSON body must be an object');
  }
  const out: Record<string, string> = Object.create(null);
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i; // at the opening quote
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipValue = (): void => {
    ws();
    const c = text[i];
    if (c === '"') {
      readString();
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      do {
        const d = text[i];
        if (d === '"') {
          readString();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') depth--;
        i++;
      } while (depth > 0);
      return;
    }
    while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
  };
  ws();
  i++; // '{'
  for (;;) {
    ws();
    if (text[i] === '}') break;
    const key = readString();
    ws();
    i++; // ':'
    ws();
    const start = i;
    const isString = text[i] === '"';
    skipValue();
    const raw = text.slice(start, i);
    out[key] = isString ? (JSON.parse(raw) as string) : raw === 'null' ? '' : raw;
    ws();
    if (text[i] === ',') i++;
  }
  return out;
}
