// The suite's response check: every answer a test receives is held to the contract (src/api/contract).
// startTestEnv turns it on through buildApp's test-only `observeAnswer`; a file whose answers drifted
// fails when its environment closes, naming the route, the status and ajv's complaint.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import type { ObservedAnswer } from '../src/app.js';
import { documentedAnswer } from '../src/api/contract/index.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface Violation {
  where: string;
  status: number;
  problem: string;
  body: string;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new WeakMap<TSchema, ValidateFunction>();
const validatorOf = (s: TSchema): ValidateFunction => {
  const known = compiled.get(s);
  if (known) return known;
  const v = ajv.compile(s);
  compiled.set(s, v);
  return v;
};

/** The contract's problems with one answer (empty when it conforms). */
export function answerProblems(a: ObservedAnswer): Violation[] {
  const found = documentedAnswer(a.method, a.route, a.url, a.status);
  const body = (a.body ?? '(stream)').slice(0, 300);
  const path = a.url.split('?')[0];
  if (!found.ok) return [{ where: `${a.method} ${path}`, status: a.status, problem: found.problem, body }];
  const v = (problem: string): Violation[] => [{ where: found.where, status: a.status, problem, body }];
  const { answer } = found;
  if (a.method === 'HEAD' && !a.body) return [];
  if (!answer.contentType) return a.body ? v('documented without a body, but one was sent') : [];
  const type = a.contentType.split(';')[0]!.trim().toLowerCase();
  if (type !== answer.contentType) return v(`content type ${type || '(none)'}, documented ${answer.contentType}`);
  if (!answer.schema || a.body === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(a.body);
  } catch {
    return v('the body is not JSON');
  }
  const validate = validatorOf(answer.schema);
  if (validate(json)) return [];
  return v(explain(validate.errors ?? []).join('; ') || 'does not match');
}

/**
 * ajv's errors, readable: a union (success or refusal) reports every branch, so only the branch that came
 * closest (fewest errors) is told, at most three of its errors.
 */
function explain(errors: ErrorObject[]): string[] {
  const branches = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const m = /^#\/anyOf\/[0-9]+/.exec(e.schemaPath);
    if (!m) continue;
    branches.set(m[0], [...(branches.get(m[0]) ?? []), e]);
  }
  const best = [...branches.values()].sort((a, b) => a.length - b.length)[0] ?? errors;
  return best
    .filter((e) => e.keyword !== 'anyOf' || best.length === 1)
    .slice(0, 3)
    .map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'does not match'} ${JSON.stringify(e.params)}`);
}

/** A recorder for startTestEnv: `observe` goes to buildApp, `assertClean` runs when the environment closes. */
export function contractRecorder() {
  const violations: Violation[] = [];
  let seen = 0;
  return {
    violations,
    get seen() {
      return seen;
    },
    observe(a: ObservedAnswer) {
      seen++;
      violations.push(...answerProblems(a));
    },
    assertClean() {
      if (!violations.length) return;
      const lines = violations.slice(0, 10).map((x) => `${x.where} → ${x.status}: ${x.problem}\n    body: ${x.body}`);
      throw new Error(
        `${violations.length} answer(s) drifted from the contract (src/api/contract):\n${lines.join('\n')}`,
      );
    },
  };
}
