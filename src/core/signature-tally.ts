// Counts which signature recipe each signed request matched: a Prometheus counter at once, and per merchant
// in merchant_signature_recipes. The per-merchant counts are gathered in memory and written in one batched
// statement shortly after, so the request path (an order's one transaction) gains no write of its own.
// A crash loses at most the last FLUSH_MS of counts: they are statistics, not money.
import type { Deps } from './deps.js';
import type { Db } from '../store/db.js';
import { SIGNATURE_RECIPES, type SignatureRecipe } from '../domain/signature.js';
import { addRecipeCounts, recipeCountsOf, type RecipeCount } from '../store/signature-recipes-repo.js';
import { signatureRecipes } from '../metrics.js';

const FLUSH_MS = 1000;

interface Tally {
  pending: Map<string, RecipeCount>;
  timer?: NodeJS.Timeout;
}

// One tally per database pool: tests run several servers in one process.
const tallies = new WeakMap<Db, Tally>();

function tallyOf(db: Db): Tally {
  let t = tallies.get(db);
  if (!t) {
    t = { pending: new Map() };
    tallies.set(db, t);
  }
  return t;
}

function add(t: Tally, r: RecipeCount): void {
  const k = `${r.merchantId}\u0000${r.recipe}`;
  const p = t.pending.get(k);
  if (!p) t.pending.set(k, { ...r });
  else {
    p.count += r.count;
    if (r.lastSeen > p.lastSeen) p.lastSeen = r.lastSeen;
  }
}

function schedule(deps: Deps, t: Tally): void {
  if (t.timer) return;
  t.timer = setTimeout(() => {
    t.timer = undefined;
    flushRecipeCounts(deps).catch((err) => deps.log.warn({ err }, 'signature recipe counts not written yet; retrying'));
  }, FLUSH_MS);
  t.timer.unref();
}

export function countRecipe(deps: Deps, merchantId: string, recipe: SignatureRecipe): void {
  signatureRecipes.inc({ recipe });
  const t = tallyOf(deps.db);
  add(t, { merchantId, recipe, count: 1, lastSeen: deps.clock.now() });
  schedule(deps, t);
}

/** Writes the pending counts; on failure they are kept for the next attempt. */
export async function flushRecipeCounts(deps: Deps): Promise<void> {
  const t = tallies.get(deps.db);
  if (!t || t.pending.size === 0) return;
  const rows = [...t.pending.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  t.pending = new Map();
  try {
    await addRecipeCounts(deps.db, rows);
  } catch (e) {
    for (const r of rows) add(t, r);
    schedule(deps, t);
    throw e;
  }
}

export type RecipeView = Record<SignatureRecipe, { count: number; lastSeenAt: string | null }>;

/** The merchant's counts per recipe (every recipe listed, zero when never seen), pending ones included. */
export async function recipeCounts(deps: Deps, merchantId: string): Promise<RecipeView> {
  await flushRecipeCounts(deps).catch((err) => deps.log.warn({ err }, 'signature recipe counts not written yet'));
  const rows = await recipeCountsOf(deps.db, merchantId);
  const view = Object.fromEntries(SIGNATURE_RECIPES.map((r) => [r, { count: 0, lastSeenAt: null }])) as RecipeView;
  for (const r of rows) {
    if (r.recipe in view)
      view[r.recipe as SignatureRecipe] = { count: Number(r.count), lastSeenAt: r.last_seen_at.toISOString() };
  }
  return view;
}
