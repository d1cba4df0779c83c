// Connects node-postgres where a libpq DATABASE_URL says (issue 14): try the hosts in order, keep the first
// whose session fits target_session_attrs (read-write skips a standby, as libpq does), and TLS as libpq's
// sslmode means it (require = encrypt without verifying). node-postgres takes one host only, so every pooled
// connection goes through the Client class below: it connects to the host found last time and checks its
// role; when that host is gone or no longer fits (a failover), the next connection looks for the new one.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { describeTarget, type PgHost, type PgTarget, type TargetSessionAttrs } from './pg-uri.js';

type Tls = false | ConnectionOptions;

/** No host fits (all down, or only standbys while a primary is wanted). SQLSTATE 08001: an outage, retryable. */
export class NoSuitableHost extends Error {
  readonly code = '08001';
  constructor(message: string) {
    super(message);
    this.name = 'NoSuitableHost';
  }
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`DATABASE_URL: cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** The TLS options of libpq's sslmode; files are read once, at startup. */
export function tlsFor(t: PgTarget): Tls {
  if (t.sslmode === undefined || t.sslmode === 'disable') return false;
  const client = t.sslcert ? { cert: readPem(t.sslcert, 'sslcert'), key: readPem(t.sslkey!, 'sslkey') } : {};
  if (t.sslmode === 'prefer' || t.sslmode === 'require') return { ...client, rejectUnauthorized: false };
  const ca = t.sslrootcert && t.sslrootcert !== 'system' ? { ca: readPem(t.sslrootcert, 'sslrootcert') } : {};
  // verify-ca checks the chain but not the name; verify-full checks both (Node's default).
  const name = t.sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {};
  return { ...client, ...ca, ...name, rejectUnauthorized: true };
}

interface Session {
  standby: boolean;
  readOnly: boolean;
}

async function sessionOf(c: pg.Client): Promise<Session> {
  const { rows } = await c.query<{ standby: boolean; read_only: boolean }>(
    "SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') = 'on' AS read_only",
  );
  return { standby: rows[0]!.standby, readOnly: rows[0]!.read_only };
}

/** libpq's checks; prefer-standby looks for a standby first (strict) and takes any host after (lenient). */
function fits(attrs: TargetSessionAttrs, s: Session, strict: boolean): boolean {
  switch (attrs) {
    case 'any':
      return true;
    case 'read-write':
      return !s.readOnly;
    case 'read-only':
      return s.readOnly;
    case 'primary':
      return !s.standby;
    case 'standby':
      return s.standby;
    case 'prefer-standby':
      return s.standby || !strict;
  }
}

const what = (s: Session) => (s.standby ? 'a standby' : s.readOnly ? 'read-only' : 'a read-write primary');
const label = (h: PgHost) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;

interface Chosen {
  host: PgHost;
  tls: Tls;
  /** prefer-standby settled for a primary: look for a standby again after a while. */
  until?: number;
}

/** A failed search is answered at once for this long, so an outage is refused quickly, not probed per request. */
const FAILED_SEARCH_MS = 250;
const PREFER_STANDBY_RECHECK_MS = 30_000;

export interface HostSelector {
  pick(): Promise<Chosen>;
  forget(c: Chosen): void;
  /** Checks a fresh connection still fits (the role can change between the search and the connection). */
  verify(c: pg.Client): Promise<void>;
}

export function hostSelector(t: PgTarget, base: pg.ClientConfig): HostSelector {
  const tls = tlsFor(t);
  const attrs = t.targetSessionAttrs;
  let cached: Chosen | undefined;
  let search: Promise<Chosen> | undefined;
  let failed: { at: number; err: Error } | undefined;

  /** One host: connect (TLS first, then plain for sslmode=prefer), check the session, disconnect. */
  async function tryHost(h: PgHost, strict: boolean): Promise<Chosen | string> {
    const modes: Tls[] = t.sslmode === 'prefer' ? [tls, false] : [tls];
    let why = '';
    for (const mode of modes) {
      const c = new pg.Client({ ...base, host: h.host, port: h.port, ssl: mode });
      c.on('error', () => {}); // a probe that dies is just a failed probe
      try {
        await c.connect();
        if (attrs === 'any') return { host: h, tls: mode };
        const s = await sessionOf(c);
        if (fits(attrs, s, strict))
          return { host: h, tls: mode, ...(s.standby ? {} : { until: Date.now() + PREFER_STANDBY_RECHECK_MS }) };
        return what(s);
      } catch (e) {
        why = (e as Error).message;
        if (mode && /does not support SSL/.test(why)) continue;
        return why;
      } finally {
        await c.end().catch(() => {});
      }
    }
    return why;
  }

  async function find(): Promise<Chosen> {
    const order = [...t.hosts];
    if (t.loadBalanceHosts === 'random') order.sort(() => Math.random() - 0.5);
    const why: string[] = [];
    for (const strict of attrs === 'prefer-standby' ? [true, false] : [true])
      for (const h of order) {
        const r = await tryHost(h, strict);
        if (typeof r !== 'string') return r;
        if (strict) why.push(`${label(h)}: ${r}`);
      }
    throw new NoSuitableHost(`no PostgreSQL host fits target_session_attrs=${attrs} (${why.join('; ')})`);
  }

  return {
    async pick() {
      if (cached && (cached.until === undefined || attrs !== 'prefer-standby' || Date.now() < cached.until))
        return cached;
      if (failed && Date.now() - failed.at < FAILED_SEARCH_MS) throw failed.err;
      search ??= find()
        .then(
          (c) => {
            cached = c;
            failed = undefined;
            return c;
          },
          (e: Error) => {
            failed = { at: Date.now(), err: e };
            throw e;
          },
        )
        .finally(() => {
          search = undefined;
        });
      return search;
    },
    forget(c) {
      if (cached === c) cached = undefined;
    },
    async verify(c) {
      if (attrs === 'any' || attrs === 'prefer-standby') return;
      const s = await sessionOf(c);
      if (!fits(attrs, s, true)) throw new NoSuitableHost(`the host is ${what(s)} now, not ${attrs}`);
    },
  };
}

type Callback = ((err: Error) => void) | ((err: null, c: pg.Client) => void);

/**
 * A pg.Client class that connects where the selector says. pg-pool makes one per pooled connection and calls
 * connect(callback); a client that cannot reach a fitting host fails its connect with a retryable error.
 */
export function selectingClient(sel: HostSelector): typeof pg.Client {
  return class SelectingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      // The pool keeps DATABASE_URL as `connectionString` (tools and tests read it back); node-postgres would
      // parse it again and refuse a host list, so the client leaves it out: the selector has read it.
      // pg-pool keeps the password non-enumerable (out of logs): copy it by name, a spread would drop it.
      const { connectionString: _url, ...rest } = typeof config === 'object' ? config : {};
      super(typeof config === 'object' ? { ...rest, password: config.password } : rest);
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: Callback): void;
    override connect(callback?: Callback): Promise<pg.Client> | undefined {
      const run = async (): Promise<pg.Client> => {
        const chosen = await sel.pick();
        // node-postgres reads these when it connects; the constructor only saw the URI's first host.
        const self = this as unknown as {
          host: string;
          port: number;
          ssl: Tls;
          connection: { ssl: Tls };
          connectionParameters: { host: string; port: number };
        };
        self.host = self.connectionParameters.host = chosen.host.host;
        self.port = self.connectionParameters.port = chosen.host.port;
        self.ssl = self.connection.ssl = chosen.tls;
        // Until the pool attaches its own listener (in the callback), an `error` event would have none and kill
        // the process: the server's "terminating connection" can arrive in the same read as "ready for query",
        // while this function still awaits. Such a client is dead: its connect fails.
        let broken: Error | undefined;
        const onError = (e: Error) => {
          broken ??= e;
        };
        this.on('error', onError);
        try {
          await super.connect();
          await sel.verify(this);
          if (broken) throw broken;
        } catch (e) {
          sel.forget(chosen);
          await this.end().catch(() => {});
          throw e;
        } finally {
          this.removeListener('error', onError);
        }
        return this;
      };
      if (!callback) return run();
      const cb = callback as (err: Error | null, c?: pg.Client) => void;
      run().then((c) => cb(null, c), cb);
      return undefined;
    }
  };
}

/** pg.Pool settings for a parsed DATABASE_URL: credentials, database, the selecting Client class. */
export function poolSettings(t: PgTarget, connectTimeoutMs: number): pg.PoolConfig {
  const timeout = t.connectTimeoutSeconds !== undefined ? t.connectTimeoutSeconds * 1000 : connectTimeoutMs;
  const base: pg.ClientConfig = {
    ...(t.user !== undefined ? { user: t.user } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.database !== undefined ? { database: t.database } : {}),
    ...(t.applicationName !== undefined ? { application_name: t.applicationName } : {}),
    ...(t.options !== undefined ? { options: t.options } : {}),
    host: t.hosts[0]!.host,
    port: t.hosts[0]!.port,
    ssl: false,
    connectionTimeoutMillis: timeout,
    keepAlive: true,
  };
  return { ...base, Client: selectingClient(hostSelector(t, base)) };
}

export { describeTarget };
