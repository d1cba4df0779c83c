// Deposit-address derivation from account xpubs, checked against published vectors and against an independent
// derivation down the PRIVATE path (viem, which ships its own copies of scure-bip32 1.x and noble 1.x), so a pass
// means the public-only path gives exactly the addresses the merchant's wallet holds the keys for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { base58check, bech32 } from '@scure/base';
import { mnemonicToAccount, privateKeyToAddress, HDKey as ViemHDKey } from 'viem/accounts';
import { getAddress } from 'viem';
import {
  parseAccountXpub,
  deriveEvmAddress,
  deriveTronAddress,
  deriveBitcoinAddress,
  DerivationError,
} from '../src/rails/crypto/derivation.js';

// BIP39/BIP84/BIP44 reference mnemonic (BIP84 "Test vectors" section).
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
// BIP84 spec: account 0 (m/84'/0'/0') public key and its first two receive addresses and public keys.
const BIP84_ZPUB =
  'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';
const BIP84_ADDR = ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g'];
const BIP84_PUB = [
  '0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c',
  '03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77',
];
// Widely published first addresses of the same mnemonic (Ian Coleman's tool, Ledger app tests, many wallets).
const EVM_0 = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94'; // m/44'/60'/0'/0/0
const TRON_0 = 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH'; // m/44'/195'/0'/0/0

const ZPUB_VERSIONS = { public: 0x04b24746, private: 0x04b2430c };
const VPUB_VERSIONS = { public: 0x045f1cf6, private: 0x045f18bc };
const TPUB_VERSIONS = { public: 0x043587cf, private: 0x04358394 };
const seed = mnemonicToSeedSync(MNEMONIC);
const root = HDKey.fromMasterSeed(seed);
const accountXpub = (path: string): string => root.derive(path).publicExtendedKey;
const EVM_XPUB = accountXpub("m/44'/60'/0'");
const TRON_XPUB = accountXpub("m/44'/195'/0'");
// base58check with node's own SHA-256, so the TRON cross-check shares no hash code with the module.
const b58cNode = base58check((d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest()));

test('the reference mnemonic is valid and gives the BIP84 spec account zpub', () => {
  assert.ok(validateMnemonic(MNEMONIC, wordlist));
  assert.equal(HDKey.fromMasterSeed(seed, ZPUB_VERSIONS).derive("m/84'/0'/0'").publicExtendedKey, BIP84_ZPUB);
});

test('bitcoin: BIP84 spec vectors from the published zpub', () => {
  const acct = parseAccountXpub(BIP84_ZPUB, 'bitcoin');
  assert.equal(acct.key.privateKey, null);
  for (const i of [0, 1]) {
    assert.equal(deriveBitcoinAddress(BIP84_ZPUB, i), BIP84_ADDR[i]);
    assert.equal(deriveBitcoinAddress(acct, i, 'mainnet'), BIP84_ADDR[i]);
    assert.equal(Buffer.from(acct.key.deriveChild(0).deriveChild(i).publicKey!).toString('hex'), BIP84_PUB[i]);
  }
});

test('bitcoin: the same account as xpub (version bytes only differ) gives the same addresses', () => {
  const xpub = accountXpub("m/84'/0'/0'");
  assert.ok(xpub.startsWith('xpub'));
  for (const i of [0, 1]) assert.equal(deriveBitcoinAddress(xpub, i), BIP84_ADDR[i]);
});

test('bitcoin: public path equals the private path for more indexes', () => {
  for (let i = 0; i < 5; i++) {
    const priv = root.derive(`m/84'/0'/0'/0/${i}`);
    const program = Array.from(
      bech32.fromWords(bech32.decode(deriveBitcoinAddress(BIP84_ZPUB, i) as `${string}1${string}`).words.slice(1)),
    );
    const h160 = createHash('ripemd160').update(createHash('sha256').update(priv.publicKey!).digest()).digest();
    assert.deepEqual(program, Array.from(h160));
  }
});

test('bitcoin: testnet and regtest prefixes carry the same witness program', () => {
  const main = bech32.decode(BIP84_ADDR[0] as `${string}1${string}`);
  const tb = deriveBitcoinAddress(BIP84_ZPUB, 0, 'testnet');
  const rt = deriveBitcoinAddress(BIP84_ZPUB, 0, 'regtest');
  assert.match(tb, /^tb1q/);
  assert.match(rt, /^bcrt1q/);
  for (const a of [tb, rt]) assert.deepEqual(bech32.decode(a as `${string}1${string}`).words, main.words);
  // Testnet wallet exports (vpub/tpub) serve test networks; they are refused for mainnet deposits.
  const vpub = HDKey.fromMasterSeed(seed, VPUB_VERSIONS).derive("m/84'/1'/0'").publicExtendedKey;
  const tpub = HDKey.fromMasterSeed(seed, TPUB_VERSIONS).derive("m/84'/1'/0'").publicExtendedKey;
  assert.match(deriveBitcoinAddress(vpub, 0, 'testnet'), /^tb1q/);
  assert.equal(deriveBitcoinAddress(tpub, 0, 'regtest'), deriveBitcoinAddress(vpub, 0, 'regtest'));
  assert.throws(() => deriveBitcoinAddress(vpub, 0, 'mainnet'), /testnet key/);
  assert.throws(() => deriveBitcoinAddress(BIP84_ZPUB, 0, 'signet' as 'testnet'), /unknown bitcoin network/);
});

test("evm: published vector, and equal to viem's private-key derivation for several indexes", () => {
  assert.equal(deriveEvmAddress(EVM_XPUB, 0), EVM_0);
  assert.equal(mnemonicToAccount(MNEMONIC).address, EVM_0);
  const acct = parseAccountXpub(EVM_XPUB, 'evm');
  for (const i of [0, 1, 2, 3, 19, 1000, 2 ** 31 - 1]) {
    const ours = deriveEvmAddress(acct, i);
    assert.equal(ours, mnemonicToAccount(MNEMONIC, { addressIndex: i }).address, `index ${i}`);
    assert.equal(ours, getAddress(ours.toLowerCase()), 'EIP-55 checksum');
  }
});

test('tron: published vector, and equal to an independent private-key derivation', () => {
  assert.equal(deriveTronAddress(TRON_XPUB, 0), TRON_0);
  const acct = parseAccountXpub(TRON_XPUB, 'tron');
  for (const i of [0, 1, 2, 7, 2 ** 31 - 1]) {
    // viem's own HDKey copy down the hardened private path, its own secp256k1 and keccak for the account id.
    const child = ViemHDKey.fromMasterSeed(seed).derive(`m/44'/195'/0'/0/${i}`);
    const evmStyle = privateKeyToAddress(`0x${Buffer.from(child.privateKey!).toString('hex')}`);
    const expected = b58cNode.encode(Uint8Array.from([0x41, ...Buffer.from(evmStyle.slice(2), 'hex')]));
    assert.equal(deriveTronAddress(acct, i), expected, `index ${i}`);
    if (i === 0) assert.equal(expected, TRON_0);
  }
  // TRON and EVM share the keccak account id format but not the coin type: the addresses must differ.
  assert.notEqual(Buffer.from(b58cNode.decode(TRON_0).subarray(1)).toString('hex'), EVM_0.slice(2).toLowerCase());
});

test('private keys are refused, without echoing them', () => {
  const xprv = root.derive("m/44'/60'/0'").privateExtendedKey;
  const zprv = HDKey.fromMasterSeed(seed, ZPUB_VERSIONS).derive("m/84'/0'/0'").privateExtendedKey;
  const tprv = HDKey.fromMasterSeed(seed, TPUB_VERSIONS).derive("m/84'/1'/0'").privateExtendedKey;
  assert.ok(xprv.startsWith('xprv') && zprv.startsWith('zprv') && tprv.startsWith('tprv'));
  for (const [k, fam] of [
    [xprv, 'evm'],
    [xprv, 'tron'],
    [xprv, 'bitcoin'],
    [zprv, 'bitcoin'],
    [tprv, 'bitcoin'],
  ] as const) {
    assert.throws(
      () => parseAccountXpub(k, fam),
      (e: unknown) => {
        assert.ok(e instanceof DerivationError);
        assert.match(e.message, /PRIVATE key/);
        assert.ok(!e.message.includes(k.slice(4, 20)), 'message must not carry key material');
        return true;
      },
    );
    assert.throws(() => deriveEvmAddress(k, 0), /PRIVATE key/);
  }
});

test('garbage and wrong kinds of key are refused with a clear message', () => {
  const flipped = EVM_XPUB.slice(0, 60) + (EVM_XPUB[60] === 'a' ? 'b' : 'a') + EVM_XPUB.slice(61);
  const cases: Array<[string, 'evm' | 'tron' | 'bitcoin', RegExp]> = [
    ['', 'evm', /empty/],
    ['   ', 'bitcoin', /empty/],
    ['hello world', 'evm', /not an extended public key/],
    ['0x9858EfFD232B4033E47d90003D41EC34EcaEda94', 'evm', /not an extended public key/],
    [flipped, 'evm', /checksum/],
    [b58cNode.encode(new Uint8Array(40)), 'tron', /40 bytes, expected 78/],
    [BIP84_ZPUB, 'evm', /zpub is not accepted for evm/],
    [BIP84_ZPUB, 'tron', /zpub is not accepted for tron/],
    [
      HDKey.fromMasterSeed(seed, { public: 0x049d7cb2, private: 0x049d7878 }).derive("m/49'/0'/0'").publicExtendedKey,
      'bitcoin',
      /ypub/,
    ],
    [root.publicExtendedKey, 'evm', /account-level key.*depth 0/],
    [accountXpub("m/44'/60'/0'/0"), 'evm', /account-level key.*depth 4/],
    [accountXpub("m/44'/60'/0'/0/0/0"), 'evm', /depth 6/],
  ];
  for (const [text, fam, re] of cases) {
    assert.throws(
      () => parseAccountXpub(text, fam),
      (e: unknown) => e instanceof DerivationError && re.test(e.message),
      `${fam}: ${text.slice(0, 12)}`,
    );
  }
  // Surrounding whitespace from a paste is tolerated.
  assert.equal(deriveEvmAddress(`  ${EVM_XPUB}\n`, 0), EVM_0);
  // A key parsed for one family is not silently used for another.
  assert.throws(() => deriveTronAddress(parseAccountXpub(EVM_XPUB, 'evm'), 0), /parsed for evm, not tron/);
  assert.throws(() => deriveBitcoinAddress(parseAccountXpub(EVM_XPUB, 'evm'), 0), /parsed for evm, not bitcoin/);
});

test('indexes: non-negative integers below 2^31 only', () => {
  for (const bad of [-1, 1.5, 2 ** 31, 2 ** 32, Number.NaN, Infinity, '0' as unknown as number]) {
    assert.throws(() => deriveEvmAddress(EVM_XPUB, bad), /address index must be an integer in 0\.\.2147483647/);
    assert.throws(() => deriveTronAddress(TRON_XPUB, bad), /address index/);
    assert.throws(() => deriveBitcoinAddress(BIP84_ZPUB, bad), /address index/);
  }
  assert.match(deriveBitcoinAddress(BIP84_ZPUB, 2 ** 31 - 1), /^bc1q/);
});

test('different indexes give different addresses; the same index is stable', () => {
  const evm = new Set<string>(),
    tron = new Set<string>(),
    btc = new Set<string>();
  for (let i = 0; i < 50; i++) {
    evm.add(deriveEvmAddress(EVM_XPUB, i));
    tron.add(deriveTronAddress(TRON_XPUB, i));
    btc.add(deriveBitcoinAddress(BIP84_ZPUB, i));
  }
  assert.equal(evm.size, 50);
  assert.equal(tron.size, 50);
  assert.equal(btc.size, 50);
  assert.equal(deriveEvmAddress(EVM_XPUB, 7), deriveEvmAddress(parseAccountXpub(EVM_XPUB, 'evm'), 7));
  assert.equal(deriveTronAddress(TRON_XPUB, 7), deriveTronAddress(TRON_XPUB, 7));
  assert.equal(deriveBitcoinAddress(BIP84_ZPUB, 7), deriveBitcoinAddress(BIP84_ZPUB, 7));
  for (const a of tron) assert.match(a, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
});
