// The deposit watcher of one network (Ethereum, BSC, TRON, Bitcoin): polls its chain source, keeps a durable cursor,
// records deposits to Tender's addresses, confirms them after TENDER_CONFIRMATIONS_<NET> blocks and takes back
// those whose block left the canonical chain. One instance per network across all processes: a session
// advisory lock held on a dedicated connection (released when the process or connection dies).
import type pg from 'pg';
import type { Deps } from '../core/deps.js';
import type { NetworkConfig } from '../rails/crypto/networks.js';
import type { ChainSource } from '../rails/crypto/chain-source.js';
import { chainSourceFor } from '../rails/crypto/sources.js';
import { confirmDeposit, recordSeenDeposit, reorgDeposit } from '../core/deposits.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';
import { outageLog } from './outage-log.js';
import { familyAddresses, getCursor, setCursor, unconfirmedDeposits } from '../store/deposits-repo.js';
import { DEPOSIT_CONFIRM } from '../core/deposits.js';
import { clearWorkFailure, recordWorkFailure } from '../store/work-failures-repo.js';

const LEASE_LOCK = 727_003;

export interface ChainWatcherOptions {
  pollMs?: number;
  chain?: ChainSource;
  /** Blocks scanned per pass at most (catch-up happens over several passes). */
  maxBlocksPerPass?: number;
  /** Where a network without a cursor starts: this many blocks below the head (default 100). */
  initialLookback?: number;
}

export interface ChainWatcher {
  /** One pass; false when another process holds the network's lease. */
  runOnce(): Promise<boolean>;
  stop(): Promise<void>;
}

export function startChainWatcher(deps: Deps, net: NetworkConfig, opts: ChainWatcherOptions = {}): ChainWatcher {
  const chain = opts.chain ?? chainSourceFor(net);
  const pollMs = opts.pollMs ?? deps.config.workerPollMs;
  const maxBlocks = BigInt(opts.maxBlocksPerPass ?? 100);
  const lookback = BigInt(opts.initialLookback ?? 100);
  const confirmations = BigInt(net.confirmations);
  let lease: pg.PoolClient | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  let tail: Promise<unknown> = Promise.resolve();
  /** Passes of one watcher never overlap. */
  const serial = (): Promise<boolean> => {
    const p = tail.then(pass);
    tail = p.catch(() => false);
    return p;
  };

  const dropLease = (err?: Error) => {
    const c = lease;
    lease = undefined;
    c?.release(err ?? true);
  };

  async function acquire(): Promise<boolean> {
    if (lease) {
      // The lock lives as long as its connection. After a failover (issue 14) or a cut the old connection may be
      // dead before its `error` arrives, while another process takes the lock on the new primary: check first.
      try {
        await lease.query('SELECT 1');
        return true;
      } catch (e) {
        deps.log.warn({ err: e, network: net.name }, 'watcher lease connection lost; taking the lease again');
        dropLease(e as Error);
        throw e;
      }
    }
    const c = await deps.db.connect();
    try {
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
        LEASE_LOCK,
        net.name,
      ]);
      if (!rows[0]!.ok) {
        c.release();
        return false;
      }
    } catch (e) {
      c.release(e as Error);
      throw e;
    }
    c.on('error', (e) => {
      deps.log.error({ err: e, network: net.name }, 'watcher lease connection lost');
      if (lease === c) dropLease(e);
    });
    lease = c;
    deps.log.info({ network: net.name }, 'chain watcher holds the network lease');
    return true;
  }

  async function pass(): Promise<boolean> {
    if (!(await acquire())) return false;
    const head = await chain.head();
    let cursor = await getCursor(deps.db, net.name);
    if (cursor === undefined) {
      cursor = head + 1n > lookback ? head + 1n - lookback : 0n;
      await setCursor(deps.db, net.name, cursor, deps.clock.now());
    }
    const hashes = new Map<bigint, string | null>();
    const canonical = async (n: bigint) => {
      if (!hashes.has(n)) hashes.set(n, n > head ? null : await chain.blockHash(n));
      return hashes.get(n)!;
    };

    // 1. Re-orgs: an unconfirmed deposit whose block hash is no longer canonical is taken back.
    let reorged = false;
    for (const d of await unconfirmedDeposits(deps.db, net.name)) {
      if ((await canonical(BigInt(d.block_number))) !== d.block_hash) {
        await reorgDeposit(deps, d.id);
        reorged = true;
      }
    }

    // 2. Scan new blocks, re-reading the last `confirmations` ones (a deposit that moved to another block
    //    or re-appeared after a re-org is recorded again; everything else is already known).
    if (head >= cursor || reorged) {
      const from = cursor > confirmations ? cursor - confirmations : 0n;
      const to = head < cursor + maxBlocks - 1n ? head : cursor + maxBlocks - 1n;
      if (to >= from) {
        const watched = new Set((await familyAddresses(deps.db, net.family)).map((r) => r.address));
        const found = await chain.transfers(from, to, watched);
        for (const t of found) {
          if ((await canonical(t.blockNumber)) !== t.blockHash) continue; // the chain moved while we read it
          await recordSeenDeposit(deps, {
            network: net,
            txHash: t.txHash,
            logIndex: t.logIndex,
            blockNumber: t.blockNumber,
            blockHash: t.blockHash,
            address: t.to,
            asset: t.asset === 'native' ? net.native : 'USDT',
            chainAmount: t.chainAmount,
          });
        }
        if (to + 1n > cursor) await setCursor(deps.db, net.name, to + 1n, deps.clock.now());
      }
    }

    // 3. Confirmations: a deposit in block n has head − n + 1 of them. Each deposit is credited on its own:
    //    one that fails is set aside until its retry time (work_failures), never holding up the others.
    for (const d of await unconfirmedDeposits(deps.db, net.name, deps.clock.now())) {
      const n = BigInt(d.block_number);
      if (head - n + 1n < confirmations) continue;
      if ((await canonical(n)) !== d.block_hash) {
        await reorgDeposit(deps, d.id);
        continue;
      }
      try {
        await confirmDeposit(deps, net, d.id);
        await clearWorkFailure(deps.db, DEPOSIT_CONFIRM, d.id); // credited: no longer stuck work
      } catch (e) {
        if (isDatabaseUnavailable(e)) throw e;
        deps.log.error({ err: e, depositId: d.id, network: net.name }, 'deposit not credited; retried later');
        await recordWorkFailure(deps.db, DEPOSIT_CONFIRM, d.id, String((e as Error).message ?? e), deps.clock.now());
      }
    }
    return true;
  }

  // While the node is unreachable, wait longer between passes (doubling up to a minute) so an outage
  // does not turn into a log line every poll interval.
  // A database outage is logged once (outageLog), not once per pass.
  let failures = 0;
  let lastWasDb = false;
  const dbFailures = outageLog(deps.log, 'chain watcher', { network: net.name });
  const loop = async () => {
    if (stopped) return;
    current = serial().then(
      () => {
        failures = 0;
        dbFailures.succeeded();
      },
      (e) => {
        failures++;
        lastWasDb = isDatabaseUnavailable(e);
        if (lastWasDb) dbFailures.failed(e);
        else deps.log.error({ err: e, network: net.name, failures }, 'chain watcher pass failed');
      },
    );
    await current;
    // A database outage is usually a restart measured in seconds: retry within 5 s so work resumes promptly.
    const cap = lastWasDb ? 5_000 : 60_000;
    if (!stopped) timer = setTimeout(loop, failures === 0 ? pollMs : Math.min(pollMs * 2 ** failures, cap));
  };
  timer = setTimeout(loop, 0);

  return {
    runOnce: serial,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
      if (lease) {
        const c = lease;
        lease = undefined;
        try {
          await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LEASE_LOCK, net.name]);
          c.release();
        } catch (e) {
          c.release(e as Error);
        }
      }
    },
  };
}
