// Deposit addresses from account-level EXTENDED PUBLIC keys. Tender is non-custodial: it is only ever given the
// account xpub a merchant's wallet exports, and derives receive addresses (child 0/index) from it; spending stays
// with the wallet. Pure: no I/O, no randomness. All curve and hash work is done by audited libraries
// (@scure/bip32, @noble/curves, @noble/hashes, @scure/base); this module only picks paths, versions and encodings.
import { HDKey, HARDENED_OFFSET } from '@scure/bip32';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base58check as base58checkWith, bech32 } from '@scure/base';

/** 'evm' serves Ethereum and BSC alike (same key, same address format, m/44'/60'/0'). */
export type KeyFamily = 'evm' | 'tron' | 'bitcoin';
export type BitcoinNetwork = 'mainnet' | 'testnet' | 'regtest';

export class DerivationError extends Error {
  override readonly name = 'DerivationError';
}

/** A parsed, public-only account key. Only parseAccountXpub makes one. */
export interface AccountXpub {
  readonly family: KeyFamily;
  /** Which chain the version bytes were minted for; a testnet key must not receive mainnet deposits. */
  readonly keyNetwork: 'mainnet' | 'testnet';
  readonly key: HDKey;
}

const b58c = base58checkWith(sha256);

// SLIP-132 version bytes. Wallets tag the script type in the prefix; the key material underneath is plain BIP32,
// so "converting" a zpub is just reading it with its own version pair.
interface VersionInfo {
  prefix: string;
  pub: number;
  prv: number;
  keyNetwork: 'mainnet' | 'testnet';
  families: readonly KeyFamily[];
}
const VERSIONS: readonly VersionInfo[] = [
  { prefix: 'xpub', pub: 0x0488b21e, prv: 0x0488ade4, keyNetwork: 'mainnet', families: ['evm', 'tron', 'bitcoin'] },
  { prefix: 'zpub', pub: 0x04b24746, prv: 0x04b2430c, keyNetwork: 'mainnet', families: ['bitcoin'] },
  { prefix: 'tpub', pub: 0x043587cf, prv: 0x04358394, keyNetwork: 'testnet', families: ['bitcoin'] },
  { prefix: 'vpub', pub: 0x045f1cf6, prv: 0x045f18bc, keyNetwork: 'testnet', families: ['bitcoin'] },
];
// Recognised only to refuse them with a message that says why (BIP49 nested segwit and multisig exports).
const REFUSED_PUB: ReadonlyMap<number, string> = new Map([
  [0x049d7cb2, 'ypub (BIP49 nested segwit); export the BIP84 account key (zpub) instead'],
  [0x044a5262, 'upub (BIP49 testnet); export the BIP84 account key (vpub) instead'],
  [0x0295b43f, 'Ypub (multisig) is not supported'],
  [0x02aa7ed3, 'Zpub (multisig) is not supported'],
]);
const REFUSED_PRV: ReadonlySet<number> = new Set([0x049d7878, 0x044a4e28, 0x0295b005, 0x02aa7a99]);

const ACCOUNT_DEPTH = 3; // m / purpose' / coin' / account'
const MAX_INDEX = HARDENED_OFFSET - 1;

/**
 * Reads an account-level extended PUBLIC key for `family`. Refuses private keys (never accepted, even to
 * neuter them: the gateway must not be handed spending keys), keys of the wrong kind for the family, keys that are
 * not at account depth (a master or change-level key would derive addresses the wallet never watches) and garbage.
 */
export function parseAccountXpub(text: string, family: KeyFamily): AccountXpub {
  if (typeof text !== 'string') throw new DerivationError('extended public key must be a string');
  const s = text.trim();
  if (s === '') throw new DerivationError('extended public key is empty');
  if (/^[xyzuvt]prv|^[YZ]prv/.test(s))
    throw new DerivationError(
      `that is an extended PRIVATE key (${s.slice(0, 4)}…); Tender only takes the account's extended public key`,
    );

  let raw: Uint8Array;
  try {
    raw = b58c.decode(s);
  } catch {
    throw new DerivationError('not an extended public key (bad base58 or checksum)');
  }
  if (raw.length !== 78)
    throw new DerivationError(`not an extended public key (decodes to ${raw.length} bytes, expected 78)`);
  const version = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(0, false);
  const keyByte = raw[45];
  const privVersion = VERSIONS.find((v) => v.prv === version) !== undefined || REFUSED_PRV.has(version);
  if (privVersion || keyByte === 0x00)
    throw new DerivationError("that is an extended PRIVATE key; Tender only takes the account's extended public key");
  const refused = REFUSED_PUB.get(version);
  if (refused !== undefined) throw new DerivationError(`unsupported key type: ${refused}`);
  const info = VERSIONS.find((v) => v.pub === version);
  if (!info) throw new DerivationError(`unknown extended key version 0x${version.toString(16).padStart(8, '0')}`);
  if (!info.families.includes(family)) {
    throw new DerivationError(
      `a ${info.prefix} is not accepted for ${family} (expected ${VERSIONS.filter((v) => v.families.includes(family))
        .map((v) => v.prefix)
        .join(' or ')})`,
    );
  }
  if (keyByte !== 0x02 && keyByte !== 0x03)
    throw new DerivationError('extended public key holds no valid compressed public key');

  let key: HDKey;
  try {
    key = HDKey.fromExtendedKey(s, { public: info.pub, private: info.prv });
  } catch (e) {
    throw new DerivationError(`invalid extended public key: ${(e as Error).message}`);
  }
  if (key.privateKey) throw new DerivationError('extended key carries a private key; refused'); // defence in depth
  if (key.depth !== ACCOUNT_DEPTH || key.index < HARDENED_OFFSET) {
    throw new DerivationError(
      `expected an account-level key (depth 3, hardened account index, e.g.` +
        ` m/${family === 'bitcoin' ? "84'/0'" : family === 'tron' ? "44'/195'" : "44'/60'"}/0'); got` +
        ` depth ${key.depth}`,
    );
  }
  return { family, keyNetwork: info.keyNetwork, key };
}

function accountKey(xpub: AccountXpub | string, family: KeyFamily): AccountXpub {
  const a = typeof xpub === 'string' ? parseAccountXpub(xpub, family) : xpub;
  if (a.family !== family) throw new DerivationError(`key was parsed for ${a.family}, not ${family}`);
  return a;
}

/** Receive child 0/index; unhardened, so it is derivable from the public key alone. */
function receiveChild(a: AccountXpub, index: number): HDKey {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_INDEX) {
    throw new DerivationError(`address index must be an integer in 0..${MAX_INDEX}, got ${String(index)}`);
  }
  const child = a.key.deriveChild(0).deriveChild(index);
  if (!child.publicKey) throw new DerivationError('derivation produced no public key'); // unreachable with a valid key
  return child;
}

/** keccak256 of the uncompressed point without its 0x04 tag; the last 20 bytes are the EVM/TRON account id. */
function keccakAccountId(child: HDKey): Uint8Array {
  const uncompressed = secp256k1.Point.fromBytes(child.publicKey!).toBytes(false);
  return keccak_256(uncompressed.subarray(1)).subarray(12);
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** EIP-55 mixed-case checksum: a hex letter is upper-case where the nibble of keccak256(lower-case hex) is >= 8. */
function eip55(id20: Uint8Array): string {
  const lower = toHex(id20);
  const h = toHex(keccak_256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) out += parseInt(h[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out;
}

/** Ethereum / BSC deposit address of child 0/index of an m/44'/60'/0' account key, EIP-55 checksummed. */
export function deriveEvmAddress(xpub: AccountXpub | string, index: number): string {
  return eip55(keccakAccountId(receiveChild(accountKey(xpub, 'evm'), index)));
}

/** TRON deposit address (base58check of 0x41 ‖ account id) of child 0/index of an m/44'/195'/0' account key. */
export function deriveTronAddress(xpub: AccountXpub | string, index: number): string {
  const id = keccakAccountId(receiveChild(accountKey(xpub, 'tron'), index));
  const payload = new Uint8Array(21);
  payload[0] = 0x41;
  payload.set(id, 1);
  return b58c.encode(payload);
}

const BECH32_HRP: Record<BitcoinNetwork, string> = { mainnet: 'bc', testnet: 'tb', regtest: 'bcrt' };

/**
 * BIP84 native segwit (P2WPKH, witness v0, bech32) address of child 0/index of an m/84'/0'/0' account key.
 * A mainnet key may serve test networks (addresses differ only in prefix), but a testnet key (tpub/vpub) is
 * refused for mainnet: its wallet is set up for test coins and would not see real deposits.
 */
export function deriveBitcoinAddress(
  xpub: AccountXpub | string,
  index: number,
  network: BitcoinNetwork = 'mainnet',
): string {
  const hrp = BECH32_HRP[network];
  if (hrp === undefined) throw new DerivationError(`unknown bitcoin network ${String(network)}`);
  const a = accountKey(xpub, 'bitcoin');
  if (a.keyNetwork === 'testnet' && network === 'mainnet')
    throw new DerivationError('a testnet key (tpub/vpub) cannot give mainnet addresses');
  const hash160 = receiveChild(a, index).identifier; // ripemd160(sha256(compressed pubkey)), by @scure/bip32
  if (hash160?.length !== 20) throw new DerivationError('derivation produced no public key hash');
  return bech32.encode(hrp, [0, ...bech32.toWords(hash160)]);
}
