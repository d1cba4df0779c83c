// Issue 14: DATABASE_URL read as libpq reads it (src/store/pg-uri.ts), every supported form, and a clear
// refusal of what Tender does not support. Pure: no database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTarget, parsePgUri, PgUriError } from '../src/store/pg-uri.js';

const hostsOf = (uri: string) => parsePgUri(uri).hosts.map((h) => `${h.host}|${h.port}`);
const refused = (uri: string, pattern: RegExp) =>
  assert.throws(
    () => parsePgUri(uri),
    (e: unknown) => e instanceof PgUriError && pattern.test(e.message) && e.message.startsWith('DATABASE_URL: '),
    uri,
  );

test('issue 14: the URI pg_autoctl show uri prints is read as libpq reads it', () => {
  const t = parsePgUri(
    'postgres://127.0.0.1:5501,127.0.0.1:5502/tender?target_session_attrs=read-write&sslmode=require',
  );
  assert.deepEqual(t, {
    hosts: [
      { host: '127.0.0.1', port: 5501 },
      { host: '127.0.0.1', port: 5502 },
    ],
    database: 'tender',
    sslmode: 'require',
    targetSessionAttrs: 'read-write',
    loadBalanceHosts: 'disable',
  });
  assert.equal(
    describeTarget(t),
    '127.0.0.1:5501,127.0.0.1:5502/tender (target_session_attrs=read-write, sslmode=require)',
  );
});

test('issue 14: host lists with and without ports, per-host ports, defaults', () => {
  assert.deepEqual(hostsOf('postgresql://db1,db2,db3/x'), ['db1|5432', 'db2|5432', 'db3|5432']);
  assert.deepEqual(hostsOf('postgres://db1:6001,db2,db3:6003/x'), ['db1|6001', 'db2|5432', 'db3|6003']);
  assert.deepEqual(hostsOf('postgres://db1:6001/x'), ['db1|6001']);
  assert.deepEqual(hostsOf('postgres://db1/x'), ['db1|5432']);
  assert.deepEqual(hostsOf('postgres:///x'), ['localhost|5432']);
  assert.deepEqual(hostsOf('postgres://'), ['localhost|5432']);
  assert.deepEqual(hostsOf('postgres://u@:7000/x'), ['localhost|7000']);
});

test('issue 14: port= lists: one port for every host, or one per host; a mismatch is refused', () => {
  assert.deepEqual(hostsOf('postgres:///x?host=a,b&port=7000'), ['a|7000', 'b|7000']);
  assert.deepEqual(hostsOf('postgres:///x?host=a,b&port=7000,7001'), ['a|7000', 'b|7001']);
  assert.deepEqual(hostsOf('postgres://a,b/x?port=7000,7001'), ['a|7000', 'b|7001']);
  assert.deepEqual(hostsOf('postgres://ignored:1/x?host=c'), ['c|1']); // host= replaces the list, not the ports
  assert.deepEqual(hostsOf('postgres:///x?host=a,b&port=,7001'), ['a|5432', 'b|7001']);
  refused('postgres:///x?host=a,b,c&port=7000,7001', /could not match 2 port numbers to 3 hosts/);
  refused('postgres://a:0/x', /invalid port number "0"/);
  refused('postgres://a:65536/x', /invalid port number "65536"/);
  refused('postgres://a:5x/x', /invalid port number "5x"/);
});

test('issue 14: IPv6 hosts in brackets, with and without ports, zone ids, Unix socket directories', () => {
  assert.deepEqual(hostsOf('postgres://[::1]:6000,[2001:db8::7]/x'), ['::1|6000', '2001:db8::7|5432']);
  assert.deepEqual(hostsOf('postgres://[fe80::1%25eth0]:6000/x'), ['fe80::1%eth0|6000']);
  assert.deepEqual(hostsOf('postgres:///x?host=::1&port=6000'), ['::1|6000']);
  assert.deepEqual(hostsOf('postgres://%2Fvar%2Frun%2Fpostgresql/x'), ['/var/run/postgresql|5432']);
  assert.equal(
    describeTarget(parsePgUri('postgres://[::1]:6000/x')),
    '[::1]:6000/x (target_session_attrs=any, sslmode=none)',
  );
  refused('postgres://[::1:6000/x', /missing "\]"/);
  refused('postgres://[]:6000/x', /empty IPv6/);
  refused('postgres://[::1]x/x', /unexpected text after an IPv6/);
});

test('issue 14: percent-encoding in user, password, database, parameters; bad escapes refused', () => {
  const t = parsePgUri('postgres://us%40er:p%40ss%3Aw%2Fo%25rd+x@h/d%C3%A9b?application_name=a%20b');
  assert.equal(t.user, 'us@er');
  assert.equal(t.password, 'p@ss:w/o%rd+x'); // '+' is not a space in libpq
  assert.equal(t.database, 'déb');
  assert.equal(t.applicationName, 'a b');
  assert.equal(parsePgUri('postgres://u:@h/d').password, '');
  assert.equal(parsePgUri('postgres://u@h/d').password, undefined);
  // A password holding a raw "@" (unencoded) still parses: the last "@" ends the user part.
  assert.equal(parsePgUri('postgres://u:a@b@h/d').password, 'a@b');
  refused('postgres://u:p%2@h/d', /invalid percent-encoding in the password/);
  refused('postgres://u:p%zz@h/d', /invalid percent-encoding/);
  refused('postgres://u:p%00@h/d', /forbidden %00/);
  refused('postgres://u:p%C3@h/d', /not valid UTF-8/);
});

test('issue 14: target_session_attrs: every libpq value, default any, others refused', () => {
  for (const v of ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'])
    assert.equal(parsePgUri(`postgres://h/d?target_session_attrs=${v}`).targetSessionAttrs, v);
  assert.equal(parsePgUri('postgres://h/d').targetSessionAttrs, 'any');
  refused('postgres://h/d?target_session_attrs=master', /invalid target_session_attrs value "master"/);
});

test('issue 14: sslmode: disable, prefer, require, verify-ca, verify-full; allow and bad values refused', () => {
  assert.equal(parsePgUri('postgres://h/d').sslmode, undefined);
  for (const v of ['disable', 'prefer', 'require']) assert.equal(parsePgUri(`postgres://h/d?sslmode=${v}`).sslmode, v);
  const full = parsePgUri('postgres://h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem');
  assert.deepEqual([full.sslmode, full.sslrootcert], ['verify-full', '/etc/ca.pem']);
  assert.equal(parsePgUri('postgres://h/d?sslmode=verify-ca&sslrootcert=system').sslmode, 'verify-ca');
  // libpq: require with a root certificate file verifies the chain like verify-ca.
  assert.equal(parsePgUri('postgres://h/d?sslmode=require&sslrootcert=/ca.pem').sslmode, 'verify-ca');
  assert.equal(parsePgUri('postgres://h/d?sslmode=require&sslrootcert=system').sslmode, 'require');
  const client = parsePgUri('postgres://h/d?sslmode=require&sslcert=/c.pem&sslkey=/k.pem');
  assert.deepEqual([client.sslcert, client.sslkey], ['/c.pem', '/k.pem']);
  refused('postgres://h/d?sslmode=verify-full', /needs sslrootcert/);
  refused('postgres://h/d?sslmode=allow', /sslmode=allow .* not supported/);
  refused('postgres://h/d?sslmode=on', /invalid sslmode value "on"/);
  refused('postgres://h/d?sslmode=require&sslcert=/c.pem', /sslcert and sslkey go together/);
});

test('issue 14: other parameters: connect_timeout, load_balance_hosts, options; unknown ones refused', () => {
  assert.equal(parsePgUri('postgres://h/d?connect_timeout=10').connectTimeoutSeconds, 10);
  assert.equal(parsePgUri('postgres://h/d?connect_timeout=1').connectTimeoutSeconds, 2);
  assert.equal(parsePgUri('postgres://h/d?load_balance_hosts=random').loadBalanceHosts, 'random');
  assert.equal(parsePgUri('postgres://h/d?options=-c%20search_path%3Dx').options, '-c search_path=x');
  assert.equal(parsePgUri('postgres://h/d?user=a&password=b&dbname=c').user, 'a');
  assert.equal(parsePgUri('postgres://h/d?&&sslmode=require&').sslmode, 'require'); // empty pairs skipped
  refused('postgres://h/d?connect_timeout=-1', /invalid connect_timeout/);
  refused('postgres://h/d?load_balance_hosts=yes', /invalid load_balance_hosts/);
  refused('postgres://h/d?fallback=1', /unknown parameter "fallback" \(supported: host, port/);
  refused('postgres://h/d?ssl=true', /node-postgres syntax/);
  refused('postgres://h/d?hostaddr=1.2.3.4', /hostaddr/);
  refused('postgres://h/d?service=x', /service files/);
  refused('postgres://h/d?sslmode', /missing "=" in the URI parameter "sslmode"/);
  refused('mysql://h/d', /must start with postgres:\/\/ or postgresql:\/\//);
});

test('issue 14: the keyword/value form, quoting and escapes included', () => {
  const t = parsePgUri(
    "host=a,b port=6001,6002 dbname=tender user=me password='it\\'s x' target_session_attrs=read-write",
  );
  assert.deepEqual(
    t.hosts.map((h) => `${h.host}|${h.port}`),
    ['a|6001', 'b|6002'],
  );
  assert.equal(t.database, 'tender');
  assert.equal(t.targetSessionAttrs, 'read-write');
  assert.equal(t.password, "it's x");
  assert.equal(parsePgUri("host = h password = 'a b\\\\c'").password, 'a b\\c');
  assert.equal(parsePgUri('host=h password=a\\ b').password, 'a b');
  refused("host=h password='open", /unterminated quoted string/);
  refused('host=h dbname', /missing "=" after "dbname"/);
  refused('host=h nonsense=1', /unknown parameter "nonsense"/);
});

test('issue 14: an error message never repeats the password', () => {
  try {
    parsePgUri('postgres://u:SuperSecret99@h/d?sslmode=bogus');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(!(e as Error).message.includes('SuperSecret99'), (e as Error).message);
  }
});
