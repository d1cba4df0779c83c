// Operators (issue 11): created from the CLI, which prints the token once; only its digest is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { insertOperator, operatorByDigest, type OperatorRow } from '../store/operators-repo.js';

const digestOf = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createOperator(deps: Deps, name: string): Promise<{ operator: OperatorRow; token: string }> {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name))
    throw new TenderError('INVALID_PARAM', 'operator name: 1-64 letters, digits or . _ @ -');
  const token = `op_${randomBytes(24).toString('base64url')}`;
  const operator = await insertOperator(deps.db, name, digestOf(token), deps.clock.now());
  if (!operator) throw new TenderError('INVALID_PARAM', `an operator named ${name} exists`);
  return { operator, token };
}

export async function authenticateOperator(deps: Deps, token: string | undefined): Promise<OperatorRow> {
  if (!token) throw new TenderError('BAD_OPERATOR_TOKEN');
  const op = await operatorByDigest(deps.db, digestOf(token));
  if (!op) throw new TenderError('BAD_OPERATOR_TOKEN');
  return op;
}
