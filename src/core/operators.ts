// Operators (issue 11): created from the CLI, which prints the token once; only its digest is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { hashPassword } from '../domain/password.js';
import { insertConsoleOperator, insertOperator, operatorByDigest, type OperatorRow } from '../store/operators-repo.js';

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

export type OperatorRole = 'admin' | 'support';

export interface ConsoleOperatorCredentials {
  operatorId: number;
  username: string;
  role: OperatorRole;
  /** One-time: changed at the first console login. */
  password: string;
  /** The payout approval API's token (issue 11), as `operator create <name>` prints it. */
  token: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An operator of the console (issue 12): the email is the username; support operators can only read. */
export async function createConsoleOperator(
  deps: Deps,
  o: { email: string; role: string },
): Promise<ConsoleOperatorCredentials> {
  const email = o.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 64 || !/^[a-z0-9._@+-]+$/.test(email))
    throw new TenderError('INVALID_PARAM', 'email: an address of at most 64 letters, digits or . _ @ + -');
  if (o.role !== 'admin' && o.role !== 'support')
    throw new TenderError('INVALID_PARAM', 'role must be admin or support');
  const password = deps.ids.token(12);
  const token = `op_${randomBytes(24).toString('base64url')}`;
  const row = await insertConsoleOperator(deps.db, {
    email,
    role: o.role,
    passwordHash: await hashPassword(password),
    tokenDigest: digestOf(token),
    at: deps.clock.now(),
  });
  if (!row) throw new TenderError('INVALID_PARAM', `an operator named ${email} exists`);
  deps.log.info({ operatorId: row.id, role: o.role }, 'console operator created');
  return { operatorId: Number(row.id), username: email, role: o.role, password, token };
}
