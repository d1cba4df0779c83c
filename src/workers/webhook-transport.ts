// The HTTP POST of one webhook attempt (issue 9, defects 7 and 11). node:http rather than fetch because
// it lets us (a) check every address a name resolves to and connect to exactly the checked one (a custom
// `lookup`, so DNS rebinding between check and connect does not help), and (b) read only the first bytes
// of the answer and then drop the connection, so a receiver streaming a huge body costs no memory.
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { bareHost, refusal, type DestinationPolicy } from '../domain/destination-policy.js';

/** Enough for every acknowledgement (`success`, `OK`, CinetPay's status) and a useful excerpt of errors. */
export const MAX_ANSWER_BYTES = 4096;

export interface Answer {
  status: number;
  /** At most MAX_ANSWER_BYTES of the body, decoded as UTF-8. */
  body: string;
  /** The answer's headers, repeated ones joined with `, ` (shown by the portal's test webhook). */
  headers: Record<string, string>;
}

/** The destination is not allowed by the SSRF policy; no connection was made. */
export class RefusedDestination extends Error {
  override name = 'RefusedDestination';
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** dns.lookup, keeping only the addresses the policy allows; refuses when none is left. */
function checkedLookup(policy: DestinationPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => !refusal(policy, hostname, a.address));
      if (!allowed.length) {
        const why = refusal(policy, hostname, addresses[0]?.address ?? '0.0.0.0');
        return callback(new RefusedDestination(`${hostname} resolves to no allowed address: ${why}`), '', 0);
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/**
 * POSTs `body` to `url`. Resolves with the status and the first bytes of the answer; rejects on a refused
 * destination, a network error, or no complete answer within `timeoutMs` (connect, send and read together).
 * Redirects are not followed (a 3xx is just a status).
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  o: { timeoutMs: number; policy: DestinationPolicy; maxAnswerBytes?: number },
): Promise<Answer> {
  const max = o.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  return new Promise<Answer>((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(named('InvalidUrl', 'callback URL is not a URL'));
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return reject(named('InvalidUrl', 'not an http(s) URL'));
    // An IP literal never goes through `lookup`, so it is checked here.
    const host = bareHost(u.hostname);
    if (isIP(host)) {
      const why = refusal(o.policy, host, host);
      if (why) return reject(new RefusedDestination(why));
    }
    const send = u.protocol === 'https:' ? https.request : http.request;
    let done = false;
    const finish = (err: Error | null, answer?: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy(); // also drops whatever the receiver still wanted to send
      if (err) reject(err);
      else resolve(answer!);
    };
    const req = send(u, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: checkedLookup(o.policy),
      agent: false,
    });
    const timer = setTimeout(
      () => finish(named('TimeoutError', `no complete answer within ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    req.on('error', (e) => finish(e));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = () => ({
        status: res.statusCode ?? 0,
        body: Buffer.concat(chunks).subarray(0, max).toString('utf8'),
        headers: Object.fromEntries(
          Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
        ),
      });
      res.on('data', (c: Buffer) => {
        if (done) return;
        chunks.push(c);
        size += c.length;
        if (size >= max) finish(null, answer());
      });
      res.on('end', () => finish(null, answer()));
      res.on('aborted', () => finish(named('AnswerAborted', 'the receiver closed the connection mid-answer')));
      res.on('error', (e) => finish(e));
    });
    req.end(body);
  });
}
