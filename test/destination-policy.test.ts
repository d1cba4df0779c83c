// The SSRF policy's address classification and allow-list parsing (issue 9, defect 11); pure, no I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  destinationOf,
  destinationPolicy,
  literalRefusal,
  nonPublicReason,
  parseAllowList,
  refusal,
} from '../src/domain/destination-policy.js';

test('defect 9.11: non-public IPv4 and IPv6 ranges are recognised, including IPv4 inside IPv6', () => {
  const cases: Array<[string, string | undefined]> = [
    ['127.0.0.1', 'loopback'],
    ['10.255.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', undefined],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.128.0.1', undefined],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['8.8.8.8', undefined],
    ['93.184.215.14', undefined],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd12:3456::1', 'unique-local (private)'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
    ['::ffff:8.8.8.8', undefined],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::808:808', undefined],
    ['2606:4700:4700::1111', undefined],
  ];
  for (const [ip, why] of cases) assert.equal(nonPublicReason(ip), why, ip);
});

test('defect 9.11: the allow-list takes networks and host names, and refuses anything else', () => {
  const allow = parseAllowList('10.0.0.0/8, 192.168.1.5 fd00::/8,Hooks.Internal');
  const live = destinationPolicy('live', allow);
  assert.equal(refusal(live, 'a.example', '10.1.2.3'), undefined);
  assert.equal(refusal(live, 'a.example', '192.168.1.5'), undefined);
  assert.match(refusal(live, 'a.example', '192.168.1.6')!, /private/);
  assert.equal(refusal(live, 'a.example', 'fd00::5'), undefined);
  assert.equal(refusal(live, 'hooks.internal', '127.0.0.1'), undefined, 'listed names may resolve anywhere');
  assert.match(refusal(live, 'other.internal', '127.0.0.1')!, /loopback/);
  assert.equal(refusal(destinationPolicy('sandbox', parseAllowList('')), 'x', '127.0.0.1'), undefined);
  for (const bad of ['10.0.0.0/33', 'fd00::/200', 'http://x', 'a_b', '10.0.0.0/x'])
    assert.throws(() => parseAllowList(bad), /TENDER_WEBHOOK_ALLOW_PRIVATE/, bad);
});

test('literal checks and destination keys normalise what URLs allow', () => {
  const live = destinationPolicy('live', parseAllowList(''));
  assert.match(literalRefusal(live, 'http://0x7f000001/')!, /loopback/);
  assert.match(literalRefusal(live, 'http://LOCALHOST./')!, /loopback/);
  assert.equal(literalRefusal(live, 'https://shop.example/hook'), undefined, 'names wait for resolution');
  assert.equal(destinationOf('HTTPS://Shop.Example:443/a?b'), 'https://shop.example');
  assert.equal(destinationOf('http://shop.example:8080/a'), 'http://shop.example:8080');
  assert.notEqual(destinationOf('http://shop.example/'), destinationOf('https://shop.example/'));
});
