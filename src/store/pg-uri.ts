// Reads DATABASE_URL the way libpq does (issue 14): `pg_autoctl show uri` prints a multi-host URI
// (postgres://h1:p1,h2:p2/db?target_session_attrs=read-write&sslmode=require) that node-postgres rejects
// ("Invalid URL") and whose sslmode=require it would treat as verify-full. Pure: no I/O, no environment.
// Forms: the URI (postgres:// or postgresql://) and libpq's keyword/value string (host=a,b port=1,2 ...).
// What Tender cannot honour is refused here, at startup, with the reason, never silently ignored.

export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby';
export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface PgHost {
  /** A host name, an IP address (IPv6 without brackets) or a Unix socket directory (starts with '/'). */
  host: string;
  port: number;
}

export interface PgTarget {
  hosts: PgHost[];
  user?: string;
  password?: string;
  database?: string;
  /** Absent: no TLS, as node-postgres has always done here (libpq's default would be prefer). */
  sslmode: SslMode | undefined;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  targetSessionAttrs: TargetSessionAttrs;
  loadBalanceHosts: 'disable' | 'random';
  /** libpq's connect_timeout: seconds per host; 0 means none. */
  connectTimeoutSeconds?: number;
  applicationName?: string;
  options?: string;
}

export class PgUriError extends Error {
  constructor(message: string) {
    // The text never repeats the URI: it may hold a password.
    super(`DATABASE_URL: ${message}`);
    this.name = 'PgUriError';
  }
}

const DEFAULT_PORT = 5432;
const SESSION_ATTRS: readonly TargetSessionAttrs[] = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
];
const SSL_MODES: readonly SslMode[] = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];
const KEYWORDS = [
  'host',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'target_session_attrs',
  'load_balance_hosts',
  'connect_timeout',
  'application_name',
  'options',
] as const;
type Keyword = (typeof KEYWORDS)[number];
/** Parameters libpq knows that Tender refuses, each with what to do instead. */
const REFUSED: Record<string, string> = {
  hostaddr: 'give the addresses in host instead',
  sslmode_allow: 'sslmode=allow (plaintext first, TLS only if refused) is not supported; use prefer or require',
  service: 'service files are not read; give the parameters themselves',
  passfile: 'password files are not read; give the password in the URI (percent-encoded) or the password parameter',
  gssencmode: 'GSSAPI encryption is not supported; use sslmode',
  requiressl: 'requiressl is obsolete; use sslmode=require',
  ssl: 'ssl=... is node-postgres syntax, not libpq; use sslmode',
};

/** libpq's percent-decoding: %XX only ('+' stays '+'), invalid escapes and %00 refused. */
function decode(s: string, what: string): string {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) throw new PgUriError(`invalid percent-encoding in the ${what}`);
  if (/%00/.test(s)) throw new PgUriError(`forbidden %00 in the ${what}`);
  try {
    return decodeURIComponent(s);
  } catch {
    throw new PgUriError(`the ${what} is not valid UTF-8 once percent-decoded`);
  }
}

function port(text: string): number {
  if (text === '') return DEFAULT_PORT;
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw new PgUriError(`invalid port number "${text}"`);
  return Number(text);
}

/** The URI's host list `h1:p1,[::1]:p2,h3` → hosts and per-host port texts ('' = not given). */
function uriHosts(netloc: string): { hosts: string[]; ports: string[] } {
  const hosts: string[] = [];
  const ports: string[] = [];
  for (const part of netloc.split(',')) {
    let host: string;
    let rest: string;
    if (part.startsWith('[')) {
      const close = part.indexOf(']');
      if (close < 0) throw new PgUriError('missing "]" after an IPv6 host address');
      host = decode(part.slice(1, close), 'host'); // a zone id is written %25eth0
      if (host === '') throw new PgUriError('empty IPv6 host address');
      rest = part.slice(close + 1);
      if (rest !== '' && !rest.startsWith(':'))
        throw new PgUriError('unexpected text after an IPv6 host address (expected ":port")');
    } else {
      const colon = part.indexOf(':');
      host = decode(colon < 0 ? part : part.slice(0, colon), 'host');
      rest = colon < 0 ? '' : part.slice(colon);
    }
    hosts.push(host);
    ports.push(rest.startsWith(':') ? decode(rest.slice(1), 'port') : '');
  }
  return { hosts, ports };
}

interface Raw {
  hosts?: string[];
  ports?: string[];
  params: Partial<Record<Keyword, string>>;
}

function setParam(raw: Raw, key: string, value: string): void {
  if (key === 'sslmode' && value === 'allow') throw new PgUriError(REFUSED.sslmode_allow!);
  if (REFUSED[key]) throw new PgUriError(`parameter "${key}" is not supported: ${REFUSED[key]}`);
  if (!(KEYWORDS as readonly string[]).includes(key))
    throw new PgUriError(`unknown parameter "${key}" (supported: ${KEYWORDS.join(', ')})`);
  raw.params[key as Keyword] = value;
}

function parseUri(text: string): Raw {
  const scheme = /^postgres(?:ql)?:\/\//.exec(text);
  if (!scheme) throw new PgUriError('must start with postgres:// or postgresql://');
  let rest = text.slice(scheme[0].length);
  const raw: Raw = { params: {} };
  const q = rest.indexOf('?');
  const query = q < 0 ? '' : rest.slice(q + 1);
  if (q >= 0) rest = rest.slice(0, q);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const dbPart = slash < 0 ? undefined : rest.slice(slash + 1);
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const netloc = at < 0 ? authority : authority.slice(at + 1);
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name');
    if (user !== '') raw.params.user = user;
    if (colon >= 0) raw.params.password = decode(userinfo.slice(colon + 1), 'password');
  }
  if (netloc !== '') Object.assign(raw, uriHosts(netloc));
  if (dbPart !== undefined && dbPart !== '') raw.params.dbname = decode(dbPart, 'database name');
  if (query !== '')
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq < 0) throw new PgUriError(`missing "=" in the URI parameter "${decode(pair, 'parameter')}"`);
      setParam(raw, decode(pair.slice(0, eq), 'parameter name'), decode(pair.slice(eq + 1), 'parameter value'));
    }
  return raw;
}

/** libpq's keyword/value string: `key=value` pairs, values bare or in single quotes with \\ and \' escapes. */
function parseKeywords(text: string): Raw {
  const raw: Raw = { params: {} };
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (ws(); i < text.length; ws()) {
    const keyStart = i;
    while (i < text.length && text[i] !== '=' && !/\s/.test(text[i]!)) i++;
    const key = text.slice(keyStart, i);
    ws();
    if (text[i] !== '=') throw new PgUriError(`missing "=" after "${key}" in the connection string`);
    i++;
    ws();
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= text.length) throw new PgUriError('unterminated quoted string in the connection string');
        const ch = text[i++]!;
        if (ch === "'") break;
        value += ch === '\\' && i < text.length ? text[i++]! : ch;
      }
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        const ch = text[i++]!;
        value += ch === '\\' && i < text.length ? text[i++]! : ch;
      }
    }
    setParam(raw, key, value);
  }
  return raw;
}

function oneOf<T extends string>(list: readonly T[], value: string | undefined, name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(list as readonly string[]).includes(value))
    throw new PgUriError(`invalid ${name} value "${value}" (one of: ${list.join(', ')})`);
  return value as T;
}

/** Parses DATABASE_URL; throws PgUriError naming what is wrong or unsupported. */
export function parsePgUri(text: string): PgTarget {
  const raw = /^[a-z]+:\/\//i.test(text) || !text.includes('=') ? parseUri(text) : parseKeywords(text);
  const p = raw.params;
  // host= and port= parameters override the URI's host list (as in libpq).
  const hostList = p.host !== undefined ? p.host.split(',') : (raw.hosts ?? ['']);
  let portList = p.port !== undefined ? p.port.split(',') : (raw.ports ?? ['']);
  if (portList.length === 1 && hostList.length > 1) portList = hostList.map(() => portList[0]!);
  if (portList.length !== hostList.length)
    throw new PgUriError(`could not match ${portList.length} port numbers to ${hostList.length} hosts`);
  const hosts = hostList.map((h, i) => ({ host: h.trim() === '' ? 'localhost' : h.trim(), port: port(portList[i]!) }));

  const sslmode = oneOf(SSL_MODES, p.sslmode, 'sslmode');
  // libpq: with a root certificate file, sslmode=require verifies the chain (like verify-ca).
  const effectiveSsl = sslmode === 'require' && p.sslrootcert && p.sslrootcert !== 'system' ? 'verify-ca' : sslmode;
  if ((effectiveSsl === 'verify-ca' || effectiveSsl === 'verify-full') && !p.sslrootcert)
    throw new PgUriError(`sslmode=${sslmode} needs sslrootcert=<file of trusted CAs> or sslrootcert=system`);
  if ((p.sslcert === undefined) !== (p.sslkey === undefined))
    throw new PgUriError('sslcert and sslkey go together (a client certificate and its key)');
  let connectTimeoutSeconds: number | undefined;
  if (p.connect_timeout !== undefined) {
    if (!/^[0-9]+$/.test(p.connect_timeout))
      throw new PgUriError(`invalid connect_timeout "${p.connect_timeout}" (whole seconds)`);
    // libpq treats 1 as 2 (a timeout of one second can expire at once) and 0 as none.
    connectTimeoutSeconds = Number(p.connect_timeout) === 1 ? 2 : Number(p.connect_timeout);
  }
  return {
    hosts,
    ...(p.user !== undefined ? { user: p.user } : {}),
    ...(p.password !== undefined ? { password: p.password } : {}),
    ...(p.dbname !== undefined ? { database: p.dbname } : {}),
    sslmode: effectiveSsl,
    ...(p.sslrootcert !== undefined ? { sslrootcert: p.sslrootcert } : {}),
    ...(p.sslcert !== undefined ? { sslcert: p.sslcert, sslkey: p.sslkey } : {}),
    targetSessionAttrs: oneOf(SESSION_ATTRS, p.target_session_attrs, 'target_session_attrs') ?? 'any',
    loadBalanceHosts: oneOf(['disable', 'random'] as const, p.load_balance_hosts, 'load_balance_hosts') ?? 'disable',
    ...(connectTimeoutSeconds !== undefined ? { connectTimeoutSeconds } : {}),
    ...(p.application_name !== undefined ? { applicationName: p.application_name } : {}),
    ...(p.options !== undefined ? { options: p.options } : {}),
  };
}

/** The target as text for logs: hosts and session attributes, never the user's password. */
export function describeTarget(t: PgTarget): string {
  const hosts = t.hosts.map((h) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`).join(',');
  return `${hosts}/${t.database ?? ''} (target_session_attrs=${t.targetSessionAttrs}, sslmode=${t.sslmode ?? 'none'})`;
}
