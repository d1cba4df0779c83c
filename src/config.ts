// Every setting comes from the environment; defaults are documented in README.md ("Configuration").
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeOnce } from './write-once.js';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { BlockList, isIP } from 'node:net';
import { Secret } from './domain/secret.js';
import { loadCryptoConfig, type CryptoConfig } from './rails/crypto/networks.js';
import { parseAllowList, type AllowList } from './domain/destination-policy.js';
import { loadRatesConfig, type RatesConfig } from './rails/rates/config.js';
import { loadPayoutConfig, type PayoutConfig } from './rails/payout/payout-config.js';

export type Mode = 'sandbox' | 'live';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  mode: Mode;
  publicUrl: string;
  orderTtlSeconds: number;
  replayWindowSeconds: number;
  webhookBackoffSeconds: number[];
  webhookTimeoutMs: number;
  /** Webhook attempts in flight per worker process, and per destination (scheme://host:port) across workers. */
  webhookConcurrency: number;
  webhookPerDestination: number;
  /** After this many consecutive failures a destination is deferred as a whole, for a growing interval. */
  webhookHostFailures: number;
  webhookHostBackoffSeconds: number;
  webhookHostBackoffMaxSeconds: number;
  /** Live mode: internal receivers (networks, host names) webhooks may reach despite the SSRF policy. */
  webhookAllowPrivate: AllowList;
  workerPollMs: number;
  dbPoolSize: number;
  /** Longest wait for a database connection before a request is answered "service unavailable, retry". */
  dbConnectTimeoutMs: number;
  /** Server-side statement timeout (0 = none). */
  dbStatementTimeoutMs: number;
  /** Consecutive failed restarts of the embedded PostgreSQL before the process gives up (exits 1). */
  embeddedPgRestarts: number;
  logLevel: string;
  /** TENDER_MASTER_KEY / TENDER_ADMIN_TOKEN when given; otherwise generated into dataDir. */
  crypto: CryptoConfig;
  /** TENDER_MAX_AMOUNTS: per-currency maximum order amounts in major units, over the built-in defaults. */
  maxAmounts: Record<string, string>;
  /** Rate sources, staleness limit, default spread and exchange fee (docs/rates-and-exchange.md). */
  rates: RatesConfig;
  /** Payout fees, approval thresholds, sandbox payout rail and sender settings (docs/payouts.md). */
  payout: PayoutConfig;
  masterKeyText: Secret | undefined;
  /** TENDER_CARD_VAULT_KEY when given; otherwise generated into dataDir (cardVaultKey). */
  cardVaultKeyText?: Secret;
  adminTokenText: Secret | undefined;
}

/** CPay's retry schedule: minutes to wait before each delivery attempt (nine attempts). */
export const CPAY_BACKOFF_MINUTES = [0, 1, 3, 9, 27, 81, 243, 729, 2187];

function int(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
}

export function parseBackoff(text: string | undefined): number[] {
  if (!text) return CPAY_BACKOFF_MINUTES.map((m) => m * 60);
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n < 0))
    throw new Error(`TENDER_WEBHOOK_BACKOFF must be comma-separated seconds, got ${text}`);
  return list;
}

/** "USD=250000,BTC=10" → { USD: '250000', BTC: '10' } (decimal strings; checked against exponents at start). */
export function parseMaxAmounts(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text || text.trim() === '') return out;
  for (const part of text.split(',')) {
    const m = /^\s*([A-Z0-9]{2,10})\s*=\s*((?:0|[1-9][0-9]{0,30})(?:\.[0-9]{1,30})?)\s*$/.exec(part);
    if (!m) throw new Error(`TENDER_MAX_AMOUNTS must be CODE=amount pairs separated by commas, got ${part}`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8, ::1 (also IPv4-mapped and bracketed forms) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (h === 'localhost') return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Sandbox lets anyone holding a test credential settle orders, so it is the default only on a machine that
 * nobody else can reach. A sandbox that listens on, or is published at, another address must be asked for
 * by name (TENDER_MODE=sandbox); an install that forgot TENDER_MODE=live refuses to start instead.
 */
function assertSandboxIsIntended(env: NodeJS.ProcessEnv, host: string, publicUrl: string): void {
  if (env.TENDER_MODE !== undefined && env.TENDER_MODE !== '') return;
  const publicHost = new URL(publicUrl).hostname;
  const exposed = [
    isLoopbackHost(host) ? undefined : `HOST=${host || '(empty)'}`,
    isLoopbackHost(publicHost) ? undefined : `TENDER_PUBLIC_URL=${publicUrl}`,
  ].filter(Boolean);
  if (exposed.length === 0) return;
  throw new Error(
    `TENDER_MODE is not set, so Tender would run in sandbox mode (anyone can mark orders paid) while reachable ` +
      `beyond this machine (${exposed.join(', ')}). Set TENDER_MODE=live for real payments, or TENDER_MODE=sandbox ` +
      'to run a public sandbox on purpose.',
  );
}

function publicUrlOf(env: NodeJS.ProcessEnv, port: number): string {
  const text = (env.TENDER_PUBLIC_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`TENDER_PUBLIC_URL must be an absolute http(s) URL, got ${text}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`TENDER_PUBLIC_URL must be an absolute http(s) URL, got ${text}`);
  return text;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 8080);
  const mode = (env.TENDER_MODE || 'sandbox') as Mode;
  if (mode !== 'sandbox' && mode !== 'live') throw new Error(`TENDER_MODE must be sandbox or live, got ${mode}`);
  const host = env.HOST ?? '127.0.0.1';
  const publicUrl = publicUrlOf(env, port);
  assertSandboxIsIntended(env, host, publicUrl);
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.TENDER_DATA_DIR ?? './data'),
    mode,
    publicUrl,
    orderTtlSeconds: int(env, 'TENDER_ORDER_TTL_SECONDS', 3600),
    replayWindowSeconds: int(env, 'TENDER_REPLAY_WINDOW_SECONDS', 86400),
    webhookBackoffSeconds: parseBackoff(env.TENDER_WEBHOOK_BACKOFF),
    webhookTimeoutMs: int(env, 'TENDER_WEBHOOK_TIMEOUT_MS', 10_000),
    webhookConcurrency: Math.max(1, int(env, 'TENDER_WEBHOOK_CONCURRENCY', 64)),
    webhookPerDestination: Math.max(1, int(env, 'TENDER_WEBHOOK_PER_DESTINATION', 4)),
    webhookHostFailures: Math.max(1, int(env, 'TENDER_WEBHOOK_HOST_FAILURES', 5)),
    webhookHostBackoffSeconds: int(env, 'TENDER_WEBHOOK_HOST_BACKOFF_SECONDS', 30),
    webhookHostBackoffMaxSeconds: int(env, 'TENDER_WEBHOOK_HOST_BACKOFF_MAX_SECONDS', 3600),
    webhookAllowPrivate: parseAllowList(env.TENDER_WEBHOOK_ALLOW_PRIVATE),
    workerPollMs: int(env, 'TENDER_WORKER_POLL_MS', 500),
    dbPoolSize: int(env, 'TENDER_DB_POOL', 10),
    dbConnectTimeoutMs: int(env, 'TENDER_DB_CONNECT_TIMEOUT_MS', 5000),
    dbStatementTimeoutMs: int(env, 'TENDER_DB_STATEMENT_TIMEOUT_MS', 0),
    embeddedPgRestarts: int(env, 'TENDER_EMBEDDED_PG_RESTARTS', 5),
    logLevel: env.LOG_LEVEL ?? 'info',
    crypto: loadCryptoConfig(env),
    maxAmounts: parseMaxAmounts(env.TENDER_MAX_AMOUNTS),
    rates: loadRatesConfig(env, mode),
    payout: loadPayoutConfig(env),
    masterKeyText: env.TENDER_MASTER_KEY ? new Secret(env.TENDER_MASTER_KEY) : undefined,
    cardVaultKeyText: env.TENDER_CARD_VAULT_KEY ? new Secret(env.TENDER_CARD_VAULT_KEY) : undefined,
    adminTokenText: env.TENDER_ADMIN_TOKEN ? new Secret(env.TENDER_ADMIN_TOKEN) : undefined,
  };
}

/** A 32-byte key from env (hex or base64), or generated once into the data directory. */
function keyFile(
  dataDir: string,
  name: string,
  fromEnv: string | undefined,
  bytes: number,
  encoding: BufferEncoding,
): string {
  if (fromEnv) return fromEnv;
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  const file = join(dataDir, name);
  if (!existsSync(file)) writeOnce(file, randomBytes(bytes).toString(encoding));
  return readFileSync(file, 'utf8').trim();
}

export function masterKey(cfg: Config): Buffer {
  const text = keyFile(cfg.dataDir, 'master.key', cfg.masterKeyText?.reveal(), 32, 'hex');
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('TENDER_MASTER_KEY must be 32 bytes as 64 hex characters or base64');
  return key;
}

/**
 * The card vault key (issue 13): its own key, so that the master key, which every merchant secret is sealed with,
 * opens no card number. TENDER_CARD_VAULT_KEY when given (32 bytes, hex or base64), else card-vault.key in dataDir.
 */
export function cardVaultKey(cfg: Config): Buffer {
  const text = keyFile(cfg.dataDir, 'card-vault.key', cfg.cardVaultKeyText?.reveal(), 32, 'hex');
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('TENDER_CARD_VAULT_KEY must be 32 bytes as 64 hex characters or base64');
  if (key.equals(masterKey(cfg))) throw new Error('TENDER_CARD_VAULT_KEY must differ from TENDER_MASTER_KEY');
  return key;
}

export function adminToken(cfg: Config): string {
  return keyFile(cfg.dataDir, 'admin.token', cfg.adminTokenText?.reveal(), 24, 'base64url');
}
