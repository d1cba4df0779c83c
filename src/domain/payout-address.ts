// Payout destination addresses, checked with each chain's own library before any money is frozen (issue 11).
// Every failure kind has its own code: a malformed string (INVALID_ADDRESS), a checksum that does not match
// (ADDRESS_CHECKSUM: a typo), and an address that is valid elsewhere (ADDRESS_WRONG_NETWORK: a TRON address
// for Ethereum, a testnet address on mainnet).
//
// EVM decision: EIP-55 defines an all-lower-case (or all-upper-case) address as "no checksum", and many
// wallets and exchanges copy addresses that way, so such an address is accepted; a MIXED-case address must
// carry a correct EIP-55 checksum. The address is stored and paid in its checksummed form.
import { getAddress, isAddress } from 'viem';
import { TronWeb } from 'tronweb';
import { Address, NETWORK, TEST_NETWORK } from '@scure/btc-signer';
import { base58, createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { TenderError } from './errors.js';

export type AddressFamily = 'evm' | 'tron' | 'bitcoin';
export type BitcoinNet = 'mainnet' | 'testnet' | 'regtest';

const BTC_NETWORKS: Record<BitcoinNet, typeof NETWORK> = {
  mainnet: NETWORK,
  testnet: TEST_NETWORK,
  regtest: { ...TEST_NETWORK, bech32: 'bcrt' },
};

type Verdict = { ok: true; address: string } | { ok: false; code: 'INVALID_ADDRESS' | 'ADDRESS_CHECKSUM' };

function evm(text: string): Verdict {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) return { ok: false, code: 'INVALID_ADDRESS' };
  if (!isAddress(text, { strict: true })) return { ok: false, code: 'ADDRESS_CHECKSUM' };
  return { ok: true, address: getAddress(text) };
}

const base58check = createBase58check(sha256);

function tron(text: string): Verdict {
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(text);
  } catch {
    return { ok: false, code: 'INVALID_ADDRESS' };
  }
  if (bytes.length !== 25 || bytes[0] !== 0x41) return { ok: false, code: 'INVALID_ADDRESS' };
  try {
    base58check.decode(text);
  } catch {
    return { ok: false, code: 'ADDRESS_CHECKSUM' };
  }
  // TronWeb has the last word: the address TRON itself accepts.
  return TronWeb.isAddress(text) ? { ok: true, address: text } : { ok: false, code: 'INVALID_ADDRESS' };
}

function bitcoin(text: string, net: BitcoinNet): Verdict {
  try {
    Address(BTC_NETWORKS[net]).decode(text);
    // bech32 addresses are case-insensitive; lower case is their canonical form.
    return { ok: true, address: /^(bc|tb|bcrt)1/i.test(text) ? text.toLowerCase() : text };
  } catch (e) {
    return { ok: false, code: /checksum/i.test((e as Error).message) ? 'ADDRESS_CHECKSUM' : 'INVALID_ADDRESS' };
  }
}

function check(family: AddressFamily, text: string, net: BitcoinNet): Verdict {
  return family === 'evm' ? evm(text) : family === 'tron' ? tron(text) : bitcoin(text, net);
}

/** Is `text` a valid address somewhere other than (family, net)? */
function validElsewhere(family: AddressFamily, text: string, net: BitcoinNet): boolean {
  const others: Array<[AddressFamily, BitcoinNet]> = [
    ['evm', 'mainnet'],
    ['tron', 'mainnet'],
    ['bitcoin', 'mainnet'],
    ['bitcoin', 'testnet'],
    ['bitcoin', 'regtest'],
  ];
  return others.some(([f, n]) => !(f === family && (f !== 'bitcoin' || n === net)) && check(f, text, n).ok);
}

/**
 * The address to pay, in its canonical form, or a TenderError naming what is wrong. `net` is the configured
 * Bitcoin network (src/rails/crypto/networks.ts); it only matters for the bitcoin family.
 */
export function validatePayoutAddress(family: AddressFamily, text: string, net: BitcoinNet = 'mainnet'): string {
  const v = check(family, text, net);
  if (v.ok) return v.address;
  if (validElsewhere(family, text, net))
    throw new TenderError('ADDRESS_WRONG_NETWORK', `toAddress is not a ${label(family, net)} address`);
  throw new TenderError(
    v.code,
    v.code === 'ADDRESS_CHECKSUM'
      ? `toAddress has a wrong checksum for ${label(family, net)} (a typo?)`
      : `toAddress is not a ${label(family, net)} address`,
  );
}

function label(family: AddressFamily, net: BitcoinNet): string {
  if (family === 'bitcoin') return net === 'mainnet' ? 'Bitcoin' : `Bitcoin ${net}`;
  return family === 'evm' ? 'EVM (0x…, EIP-55)' : 'TRON (T…, base58check)';
}
