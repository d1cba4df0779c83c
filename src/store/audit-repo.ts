// The append-only audit log (migration 018): inserts and keyset-paginated searches. No UPDATE or DELETE here,
// and the table's trigger refuses them anyway.
import type { Tx } from './db.js';

export type ActorKind = 'operator' | 'cli' | 'admin-token' | 'system';

export interface AuditRow {
  id: string;
  at: Date;
  actor_kind: ActorKind;
  actor_id: string | null;
  address: string | null;
  action: string;
  merchant_id: string | null;
  target: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface NewAuditRow {
  at: Date;
  actorKind: ActorKind;
  actorId: string | null;
  address: string | null;
  action: string;
  merchantId: string | null;
  target: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export async function insertAudit(tx: Tx, r: NewAuditRow): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO audit_log (at, actor_kind, actor_id, address, action, merchant_id, target, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      r.at,
      r.actorKind,
      r.actorId,
      r.address,
      r.action,
      r.merchantId,
      r.target,
      r.before === null ? null : JSON.stringify(r.before),
      r.after === null ? null : JSON.stringify(r.after),
    ],
  );
  return rows[0]!.id;
}

export interface AuditFilter {
  actorKind?: ActorKind;
  actorId?: string;
  merchantId?: string;
  /** Exact action, or a prefix ending in '.' ("merchant." matches every merchant action). */
  action?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: only rows with a smaller id (the page after the one that ended there). */
  beforeId?: string;
  limit: number;
}

/** Newest first; every filter is a bound parameter, the cursor is the last id of the previous page. */
export async function searchAudit(tx: Tx, f: AuditFilter): Promise<AuditRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (f.actorKind) add('actor_kind = ?', f.actorKind);
  if (f.actorId) add('actor_id = ?', f.actorId);
  if (f.merchantId) add('merchant_id = ?', f.merchantId);
  if (f.action?.endsWith('.')) add("action LIKE ? || '%'", f.action.replace(/[\\%_]/g, '\\$&'));
  else if (f.action) add('action = ?', f.action);
  if (f.from) add('at >= ?', f.from);
  if (f.to) add('at < ?', f.to);
  if (f.beforeId) add('id < ?', f.beforeId);
  args.push(f.limit);
  const { rows } = await tx.query<AuditRow>(
    `SELECT id, at, actor_kind, actor_id, address, action, merchant_id, target, before, after FROM audit_log
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`,
    args,
  );
  return rows;
}
