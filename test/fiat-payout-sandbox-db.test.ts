// Issue 11: the sandbox fiat payout rails over their durable store (migration 014, sandbox_fiat_payouts) through
// the fiat payout rail conformance suite: idempotency per payout id under 20 concurrent submits, and a restart
// (a new connection pool, a new rail) that keeps every reference and clock, on real PostgreSQL.
import { after } from 'node:test';
import { parsePixKey } from '../src/domain/pix-key.js';
import { CardNumber } from '../src/domain/card-number.js';
import { sandboxPixRail, SANDBOX_TEST_KEYS } from '../src/rails/fiat-payout/sandbox-pix.js';
import { sandboxCardRail, SANDBOX_TEST_CARDS } from '../src/rails/fiat-payout/sandbox-card.js';
import { SETTLE_MS, SLOW_MS } from '../src/rails/fiat-payout/sandbox-engine.js';
import { dbSandboxPayoutStore } from '../src/rails/fiat-payout/registry.js';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { freshDatabase } from './harness.js';
import { runFiatPayoutRailConformance } from './fiat-payout-rail-conformance.js';

const pools: Db[] = [];
/** One database per suite: start() opens a fresh one, restart() a new pool over the same one. */
function databases() {
  let url = '';
  return async (fresh: boolean): Promise<Db> => {
    if (fresh) url = await freshDatabase();
    const db = createPool(url, 8);
    if (fresh) await migrate(db);
    pools.push(db);
    return db;
  };
}
after(async () => {
  for (const p of pools) await p.end();
});

const PIX = parsePixKey('1', '529.982.247-25');
const pixDb = databases();
runFiatPayoutRailConformance({
  name: 'sandbox-pix over PostgreSQL',
  channel: 1,
  currency: 'BRL',
  start: async () => sandboxPixRail(dbSandboxPayoutStore({ db: await pixDb(true) })),
  restart: async () => sandboxPixRail(dbSandboxPayoutStore({ db: await pixDb(false) })),
  stop: async () => {},
  ordinary: () => PIX,
  cases: [
    { name: 'an ordinary key', account: PIX, settlesAfterMs: SETTLE_MS, verdict: { state: 'succeeded' } },
    {
      name: 'test key slow',
      account: parsePixKey('2', SANDBOX_TEST_KEYS.slow.email),
      settlesAfterMs: SLOW_MS,
      verdict: { state: 'succeeded' },
    },
    {
      name: 'test key key_not_found',
      account: parsePixKey('3', SANDBOX_TEST_KEYS.key_not_found.phone),
      settlesAfterMs: SETTLE_MS,
      verdict: { state: 'failed', reason: 'key_not_found' },
    },
  ],
});

const CARD = CardNumber.parse('4111111111111111');
const cardDb = databases();
runFiatPayoutRailConformance({
  name: 'sandbox-card over PostgreSQL',
  channel: 2,
  currency: 'BRL',
  start: async () => sandboxCardRail(dbSandboxPayoutStore({ db: await cardDb(true) })),
  restart: async () => sandboxCardRail(dbSandboxPayoutStore({ db: await cardDb(false) })),
  stop: async () => {},
  ordinary: () => CARD,
  cases: [
    { name: 'an ordinary card', account: CARD, settlesAfterMs: SETTLE_MS, verdict: { state: 'succeeded' } },
    {
      name: 'test card timeout',
      account: CardNumber.parse(SANDBOX_TEST_CARDS.timeout),
      settlesAfterMs: SLOW_MS,
      verdict: { state: 'failed', reason: 'timeout' },
    },
  ],
});
