// Merchants as the operator console lists them, newest first in keyset pages; and operators by id.
import type { Tx } from './db.js';
import type { OperatorRow } from './operators-repo.js';

export interface MerchantListRow {
  id: string;
  brand: string;
  company: string;
  email: string;
  website: string;
  username: string;
  suspended_at: Date | null;
  created_at: Date;
}

/** `q`: a merchant id, or text matched (case-insensitively) in brand, company, e-mail or user name. */
export async function listMerchants(
  tx: Tx,
  f: { q?: string; beforeId?: string; limit: number },
): Promise<MerchantListRow[]> {
  const args: unknown[] = [];
  const where: string[] = [];
  const q = f.q?.trim();
  if (q && /^[0-9]{1,18}$/.test(q)) {
    args.push(q);
    where.push(`id = $${args.length}`);
  } else if (q) {
    args.push(`%${q.replace(/[\\%_]/g, '\\$&')}%`);
    const p = `$${args.length}`;
    where.push(`(brand ILIKE ${p} OR company ILIKE ${p} OR email ILIKE ${p} OR username ILIKE ${p})`);
  }
  if (f.beforeId) {
    args.push(f.beforeId);
    where.push(`id < $${args.length}`);
  }
  args.push(f.limit);
  const { rows } = await tx.query<MerchantListRow>(
    `SELECT id, brand, company, email, website, username, suspended_at, created_at FROM merchants
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
    args,
  );
  return rows;
}

export async function operatorById(tx: Tx, id: string): Promise<OperatorRow | undefined> {
  if (!/^[0-9]{1,18}$/.test(id)) return undefined;
  const { rows } = await tx.query<OperatorRow>(
    'SELECT id, name, created_at, disabled_at FROM operators WHERE id = $1 AND disabled_at IS NULL',
    [id],
  );
  return rows[0];
}
