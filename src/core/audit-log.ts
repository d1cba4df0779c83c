// Who did what to which merchant, when and from where: one audit row per operator action, written in the
// transaction of the action itself, so an action that rolls back leaves no row and a committed one always has
// its row. Summaries hold settings, never secrets (withoutSecrets is the last guard, callers pick fields).
import type pg from 'pg';
import type { Deps } from './deps.js';
import { TenderError } from '../domain/errors.js';
import { insertAudit, searchAudit, type ActorKind, type AuditRow } from '../store/audit-repo.js';

/** The author of an action: a console operator, the CLI, the admin API token, or Tender itself. */
export type Actor =
  | { kind: 'operator'; operatorId: string; address?: string | null }
  | { kind: 'admin-token'; address?: string | null }
  | { kind: 'cli' }
  | { kind: 'system' };

export const CLI_ACTOR: Actor = { kind: 'cli' };
/** Actions called from code without an operator (tests, migrations of data): still audited. */
export const SYSTEM_ACTOR: Actor = { kind: 'system' };

export interface AuditEvent {
  action: string;
  merchantId?: string | number | null;
  target?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

const SECRET_KEY = /secret|password|token|apikey|sealed|hash|private|securitykey|recovery|totp/i;

/** A summary with any secret-looking field dropped, and bigints as decimal strings (JSON has no bigint). */
export function withoutSecrets(o: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!o) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (SECRET_KEY.test(k) || v === undefined) continue;
    out[k] =
      typeof v === 'bigint'
        ? v.toString()
        : v instanceof Date
          ? v.toISOString()
          : v && typeof v === 'object' && !Array.isArray(v)
            ? withoutSecrets(v as Record<string, unknown>)
            : v;
  }
  return out;
}

/** Only the fields whose value changed, before and after (an update that changed nothing has two empty objects). */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (JSON.stringify(before[k]) === JSON.stringify(after[k])) continue;
    b[k] = before[k];
    a[k] = after[k];
  }
  return { before: b, after: a };
}

/** Writes the audit row inside `tx`, the transaction of the action. */
export async function audit(tx: pg.PoolClient, deps: Deps, actor: Actor, e: AuditEvent): Promise<void> {
  await insertAudit(tx, {
    at: deps.clock.now(),
    actorKind: actor.kind,
    actorId: actor.kind === 'operator' ? actor.operatorId : null,
    address: 'address' in actor ? (actor.address ?? null) : null,
    action: e.action,
    merchantId: e.merchantId === undefined || e.merchantId === null ? null : String(e.merchantId),
    target: e.target ?? null,
    before: withoutSecrets(e.before),
    after: withoutSecrets(e.after),
  });
}

export interface AuditQuery {
  /** 'cli', 'admin-token', 'system', or an operator id. */
  actor?: string;
  merchantId?: string;
  action?: string;
  /** UTC dates (YYYY-MM-DD, both inclusive) or ISO date-times (`to` exclusive). */
  from?: string;
  to?: string;
  /** The `next` cursor of the previous page. */
  after?: string;
  limit?: number;
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  address: string | null;
  action: string;
  merchantId: string | null;
  target: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export const auditEntryView = (r: AuditRow): AuditEntryView => ({
  id: String(r.id),
  at: r.at.toISOString(),
  actor: r.actor_kind === 'operator' ? `operator:${r.actor_id}` : r.actor_kind,
  address: r.address,
  action: r.action,
  merchantId: r.merchant_id === null ? null : String(r.merchant_id),
  target: r.target,
  before: r.before,
  after: r.after,
});

const ACTOR_KINDS: ActorKind[] = ['cli', 'admin-token', 'system'];
const ID = /^[0-9]{1,18}$/;

const DAY_MS = 86_400_000;

/** A date (UTC day) or date-time; a bare `to` date includes that whole day. */
function dateOf(v: string | undefined, name: 'from' | 'to'): Date | undefined {
  if (!v) return undefined;
  const dayOnly = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(v);
  const d = dayOnly || /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$/.test(v) ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new TenderError('INVALID_PARAM', `${name} must be a date (YYYY-MM-DD)`);
  return dayOnly && name === 'to' ? new Date(d.getTime() + DAY_MS) : d;
}

/** A page of the log, newest first, and the cursor of the next page (null on the last one). */
export async function searchAuditLog(
  deps: Deps,
  q: AuditQuery,
): Promise<{ entries: AuditEntryView[]; next: string | null }> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const actor = q.actor?.trim().replace(/^operator:/, '');
  if (actor && !ACTOR_KINDS.includes(actor as ActorKind) && !ID.test(actor))
    throw new TenderError('INVALID_PARAM', 'actor must be cli, admin-token, system or an operator id');
  if (q.merchantId && !ID.test(q.merchantId)) throw new TenderError('INVALID_PARAM', 'merchantId must be a number');
  if (q.after && !ID.test(q.after)) throw new TenderError('INVALID_PARAM', 'the page cursor is not valid');
  if (q.action && !/^[a-z_.-]{1,64}$/.test(q.action))
    throw new TenderError('INVALID_PARAM', 'action is a name like merchant.suspend');
  const rows = await searchAudit(deps.db, {
    ...(actor && ACTOR_KINDS.includes(actor as ActorKind)
      ? { actorKind: actor as ActorKind }
      : actor
        ? { actorKind: 'operator' as const, actorId: actor }
        : {}),
    merchantId: q.merchantId || undefined,
    action: q.action || undefined,
    from: dateOf(q.from, 'from'),
    to: dateOf(q.to, 'to'),
    beforeId: q.after || undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    entries: page.map(auditEntryView),
    next: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}
