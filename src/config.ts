// Every setting comes from the environment; defaults are documented in README.md ("Configuration").
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeOnce } from './write-once.js';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Secret } from './domain/secret.js';
import { loadCryptoConfig, type CryptoConfig } from './rails/crypto/networks.js';
import { parseAllowList, type AllowList } from './domain/destination-policy.js';

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
  logLevel: string;
  /** TENDER_MASTER_KEY / TENDER_ADMIN_TOKEN when given; otherwise generated into dataDir. */
  crypto: CryptoConfig;
  masterKeyText: Secret | undefined;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env, 'PORT', 8080);
  const mode = (env.TENDER_MODE ?? 'sandbox') as Mode;
  if (mode !== 'sandbox' && mode !== 'live') throw new Error(`TENDER_MODE must be sandbox or live, got ${mode}`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.TENDER_DATA_DIR ?? './data'),
    mode,
    publicUrl: (env.TENDER_PUBLIC_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, ''),
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
    logLevel: env.LOG_LEVEL ?? 'info',
    crypto: loadCryptoConfig(env),
    masterKeyText: env.TENDER_MASTER_KEY ? new Secret(env.TENDER_MASTER_KEY) : undefined,
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

export function adminToken(cfg: Config): string {
  return keyFile(cfg.dataDir, 'admin.token', cfg.adminTokenText?.reveal(), 24, 'base64url');
}
