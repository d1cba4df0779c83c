// Where webhooks may go (issue 9, defect 11: blind SSRF). In live mode a callback URL must not reach
// loopback, private, link-local (cloud metadata), CGNAT, multicast or other non-public addresses, unless
// the operator lists the receiver in TENDER_WEBHOOK_ALLOW_PRIVATE. Sandbox mode allows everything so local
// receivers on 127.0.0.1 keep working. Pure: callers resolve names and pass the addresses in.
import { BlockList, isIP } from 'node:net';

/** Non-public ranges, each with the word used in refusals. IPv4-mapped IPv6 (::ffff:a.b.c.d) matches these too. */
const V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
];
const V6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible'],
  ['64:ff9b:1::', 48, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique-local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const ranges = [
  ...V4.map(([a, p, why]) => ({ a, p, why, t: 'ipv4' as const })),
  ...V6.map(([a, p, why]) => ({ a, p, why, t: 'ipv6' as const })),
].map((r) => {
  const b = new BlockList();
  b.addSubnet(r.a, r.p, r.t);
  return { ...r, b };
});

const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

const nat64 = new BlockList();
nat64.addSubnet('64:ff9b::', 96, 'ipv6');

/** The IPv4 address in the last 32 bits of an IPv6 address (NAT64 / DNS64 synthesises these). */
function lastV4(ip: string): string {
  const words = (s: string | undefined) => (s ?? '').split(':').filter(Boolean);
  // Only the last 32 bits matter: the words after `::` when the address has one, else the full address.
  const parts = ip.includes('::') ? ['0', '0', ...words(ip.split('::')[1])] : words(ip);
  const last = parts[parts.length - 1]!;
  if (last.includes('.')) return last;
  const hi = Number.parseInt(parts[parts.length - 2] ?? '0', 16);
  const lo = Number.parseInt(last, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Why `ip` is not a public address (e.g. "loopback"), or undefined when it is public. */
export function nonPublicReason(ip: string): string | undefined {
  const t = family(ip);
  // NAT64 addresses are as public as the IPv4 address they carry.
  if (t === 'ipv6' && nat64.check(ip, 'ipv6')) return nonPublicReason(lastV4(ip));
  return ranges.find((r) => r.b.check(ip, t))?.why;
}

/** The operator's list of internal receivers: networks (CIDR or single addresses) and host names. */
export interface AllowList {
  networks: BlockList;
  hosts: ReadonlySet<string>;
  text: string;
}

/** Parses `10.0.0.0/8,192.168.1.5,fd00::/8,hooks.internal` (commas or spaces). */
export function parseAllowList(text: string | undefined): AllowList {
  const networks = new BlockList();
  const hosts = new Set<string>();
  for (const raw of (text ?? '').split(/[\s,]+/).filter(Boolean)) {
    const entry = raw.toLowerCase();
    const [addr, bits] = entry.split('/') as [string, string | undefined];
    const v = isIP(addr);
    if (v) {
      const max = v === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
        throw new Error(`TENDER_WEBHOOK_ALLOW_PRIVATE: bad prefix in ${raw}`);
      networks.addSubnet(addr, prefix, v === 4 ? 'ipv4' : 'ipv6');
    } else if (bits === undefined && /^[a-z0-9.-]+$/.test(entry)) {
      hosts.add(entry.replace(/\.$/, ''));
    } else {
      throw new Error(`TENDER_WEBHOOK_ALLOW_PRIVATE: ${raw} is neither an address, a CIDR range nor a host name`);
    }
  }
  return { networks, hosts, text: text ?? '' };
}

export interface DestinationPolicy {
  /** Sandbox: every address is allowed. */
  restricted: boolean;
  allow: AllowList;
}

/** URL host without IPv6 brackets or a trailing dot, lower case. */
export function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** Why connecting to `ip` for a URL whose host is `host` is refused, or undefined when allowed. */
export function refusal(policy: DestinationPolicy, host: string, ip: string): string | undefined {
  if (!policy.restricted) return undefined;
  const why = nonPublicReason(ip);
  if (!why) return undefined;
  if (policy.allow.hosts.has(bareHost(host))) return undefined;
  if (policy.allow.networks.check(ip, family(ip))) return undefined;
  return `${ip} is a ${why} address (refused in live mode unless listed in TENDER_WEBHOOK_ALLOW_PRIVATE)`;
}

/**
 * The check that needs no DNS: an IP literal, or a name that is loopback by definition (`localhost`,
 * `*.localhost`, RFC 6761). Returns why the URL is refused, or undefined (names are checked again after
 * resolution at delivery time).
 */
export function literalRefusal(policy: DestinationPolicy, url: string): string | undefined {
  if (!policy.restricted) return undefined;
  let host: string;
  try {
    host = bareHost(new URL(url).hostname);
  } catch {
    return undefined; // malformed URLs are refused by the caller's own check
  }
  if (isIP(host)) return refusal(policy, host, host);
  if (host === 'localhost' || host.endsWith('.localhost')) return refusal(policy, host, '127.0.0.1');
  return undefined;
}

/** scheme://host[:port] as one key: webhooks to one destination share its concurrency limit and backoff. */
export function destinationOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return url.slice(0, 200);
  }
}

/** Live mode restricts destinations; sandbox does not (local receivers on 127.0.0.1 are the point there). */
export function destinationPolicy(mode: 'sandbox' | 'live', allow: AllowList): DestinationPolicy {
  return { restricted: mode === 'live', allow };
}
