// A CinetPay body (after withAliases) checked against its published schema (schemas.ts). Missing fields are
// 608 MINIMUM_REQUIRED_FIELDS, all named; otherwise the first violation is refused with the code its field
// names in `x-cinetpay`, and the field's documented rule as the description.
import type { TObject, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { CP, CinetpayRefusal } from '../../domain/cinetpay.js';
import { printable } from '../../domain/text.js';
import type { Body } from './validate.js';

/** The body as its schema reads it: JSON values as sent, strings trimmed, null and blank values left out. */
export function schemaView(b: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    const value = typeof v.value === 'string' ? v.value.trim() : v.value;
    if (value !== null && value !== '') out[k] = value;
  }
  return out;
}

export function missingFieldsRefusal(missing: readonly string[]): CinetpayRefusal {
  const s = missing.length > 1 ? 's' : '';
  return new CinetpayRefusal(CP.MINIMUM_REQUIRED_FIELDS, `required field${s} missing: ${missing.join(', ')}`);
}

/** A compiled check of a body against `schema`; throws the CinetPay refusal of its first violation. */
export function schemaChecker(schema: TObject): (b: Body) => void {
  const check = TypeCompiler.Compile(schema);
  return (b) => {
    const view = schemaView(b);
    if (check.Check(view)) return;
    const errors = [...check.Errors(view)];
    const missing = errors.filter((e) => e.type === ValueErrorType.ObjectRequiredProperty).map((e) => e.path.slice(1));
    if (missing.length) throw missingFieldsRefusal(missing);
    const name = errors[0]!.path.split('/')[1] ?? '';
    const prop = schema.properties[name] as (TSchema & { 'x-cinetpay'?: keyof typeof CP }) | undefined;
    throw new CinetpayRefusal(
      CP[prop?.['x-cinetpay'] ?? 'INVALID_PARAMETER'],
      prop ? `${printable(name)} is not valid: ${prop.description}` : errors[0]!.message,
    );
  };
}
