import type { Tx } from './db.js';
import { TenderError } from '../domain/errors.js';
import { accountCode, assertBalanced, type AccountRef, type JournalEntry } from '../domain/ledger.js';

async function accountId(tx: Tx, a: AccountRef): Promise<string> {
  const code = accountCode(a);
  const merchantId = a.kind === 'merchant_available' || a.kind === 'merchant_frozen' ? a.merchantId : null;
  const { rows } = await tx.query<{ id: string }>(
    `WITH ins AS (INSERT INTO ledger_accounts (code, kind, merchant_id, currency) VALUES ($1, $2, $3, $4)
                  ON CONFLICT (code) DO NOTHING RETURNING id)
     SELECT id FROM ins UNION ALL SELECT id FROM ledger_accounts WHERE code = $1 LIMIT 1`,
    [code, a.kind, merchantId, a.currency],
  );
  if (rows[0]) return rows[0].id;
  // A concurrent transaction created the account after this statement's snapshot was taken (the INSERT
  // waited for it, then did nothing): a new statement sees it.
  const again = await tx.query<{ id: string }>('SELECT id FROM ledger_accounts WHERE code = $1', [code]);
  return again.rows[0]!.id;
}

/** Writes a balanced entry and moves the account balances, inside the caller's transaction. */
export async function postEntry(tx: Tx, e: JournalEntry, at: Date): Promise<string> {
  assertBalanced(e);
  const { rows } = await tx.query<{ id: string }>(
    'INSERT INTO journal_entries (kind, order_id, memo, at) VALUES ($1, $2, $3, $4) RETURNING id',
    [e.kind, e.orderId, e.memo, at],
  );
  const entryId = rows[0]!.id;
  // Accounts in a fixed order so concurrent entries lock balance rows without deadlocking.
  const sorted = [...e.postings].sort((a, b) => accountCode(a.account).localeCompare(accountCode(b.account)));
  for (const p of sorted) {
    const id = await accountId(tx, p.account);
    await tx
      .query(
        `WITH p AS (INSERT INTO postings (entry_id, account_id, currency, amount) VALUES ($1, $2, $3, $4))
         UPDATE ledger_accounts SET balance = balance + $4 WHERE id = $2`,
        [entryId, id, p.account.currency, p.amount.toString()],
      )
      .catch((err: unknown) => {
        // The database's own floor under merchant balances (migration 013): a racing entry spent the money
        // between the caller's check and this UPDATE. The caller's transaction is undone; nothing moved.
        if (isCheckViolation(err, 'merchant_balances_not_negative')) throw new TenderError('INSUFFICIENT_BALANCE');
        throw err;
      });
  }
  return entryId;
}

export async function merchantBalances(
  tx: Tx,
  merchantId: string,
): Promise<{ currency: string; kind: string; balance: bigint }[]> {
  const { rows } = await tx.query<{ currency: string; kind: string; balance: string }>(
    'SELECT currency, kind, balance FROM ledger_accounts WHERE merchant_id = $1',
    [merchantId],
  );
  return rows.map((r) => ({ currency: r.currency, kind: r.kind, balance: BigInt(r.balance) }));
}

function isCheckViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23514' && e.constraint === constraint;
}
