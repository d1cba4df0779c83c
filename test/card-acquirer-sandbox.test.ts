// Issue 13: the sandbox card acquirer over its own books (migration 020) through the card acquirer conformance
// suite, with every documented test card (src/rails/card/test-cards.ts, docs/cards.md), on real PostgreSQL.
import { after } from 'node:test';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { sandboxAcquirer, type SandboxAcquirer } from '../src/rails/card/sandbox-acquirer.js';
import { SANDBOX_ACS_CODE, TEST_CARDS } from '../src/rails/card/test-cards.js';
import { countAuths } from '../src/store/sandbox-card-repo.js';
import { freshDatabase } from './harness.js';
import { runCardAcquirerConformance, type CardCase } from './card-acquirer-conformance.js';

const pools: Db[] = [];
let url = '';
let current: SandboxAcquirer;
const open = async (fresh: boolean) => {
  if (fresh) url = await freshDatabase();
  const db = createPool(url, 8);
  if (fresh) await migrate(db);
  pools.push(db);
  current = sandboxAcquirer(db, { publicUrl: () => 'http://127.0.0.1:9', now: () => new Date() });
  return current;
};
after(async () => {
  for (const p of pools) await p.end();
});

const cases: CardCase[] = TEST_CARDS.map((c) => ({
  name: `${c.number} ${c.description}`,
  number: c.number,
  outcome:
    c.scenario.kind === 'approve'
      ? { kind: 'authorised' }
      : c.scenario.kind === 'decline'
        ? { kind: 'declined', reason: c.scenario.reason }
        : c.scenario.kind === 'challenge'
          ? { kind: 'challenge' }
          : { kind: 'timeout' },
}));
cases.push({ name: 'any other VISA number', number: '4111111111111111', outcome: { kind: 'authorised' } });

runCardAcquirerConformance({
  name: 'sandbox acquirer over PostgreSQL',
  start: () => open(true),
  restart: () => open(false),
  stop: async () => {},
  cases,
  answerChallenge: async (_acsUrl, creq, pass) => {
    const a = await current.acsAnswer(creq, pass ? SANDBOX_ACS_CODE : '0000');
    if (!a) throw new Error('no such challenge');
    return a.cres;
  },
  authorisations: (reference) => countAuths(pools.at(-1)!, reference),
});
