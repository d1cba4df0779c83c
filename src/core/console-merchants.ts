// The console's merchant list (search + keyset pages) and the operator row behind a console session.
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { listMerchants, operatorById, type MerchantListRow } from '../store/console-merchants-repo.js';
import type { OperatorRow } from '../store/operators-repo.js';

export async function merchantPage(
  deps: Deps,
  q: { q?: string; after?: string; limit?: number },
): Promise<{ rows: MerchantListRow[]; next: string | null }> {
  if (q.after && !/^[0-9]{1,18}$/.test(q.after)) throw new TenderError('INVALID_PARAM', 'the page cursor is not valid');
  if (q.q && q.q.length > 100) throw new TenderError('INVALID_PARAM', 'search: at most 100 characters');
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const rows = await listMerchants(deps.db, { q: q.q, beforeId: q.after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** The operator a console session belongs to (payout decisions name it); FORBIDDEN when it is gone. */
export async function sessionOperator(deps: Deps, operatorId: string): Promise<OperatorRow> {
  const op = await operatorById(deps.db, operatorId);
  if (!op) throw new TenderError('FORBIDDEN', 'this operator account cannot decide payouts');
  return op;
}
