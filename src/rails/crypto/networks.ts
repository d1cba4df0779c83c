// The crypto networks Tender can watch, their assets and their configuration from the environment.
// A network without an RPC endpoint is not offered (no default public endpoints: operators choose them).
import { parseAccountXpub, type AccountXpub, type BitcoinNetwork, type KeyFamily } from './derivation.js';

export type NetworkKey = 'ETHEREUM' | 'BSC' | 'TRON' | 'BITCOIN';

export interface NetworkDef {
  key: NetworkKey;
  /** The wire name, exactly as seed 001 writes it. */
  name: 'Ethereum(ERC-20)' | 'BSC(BEP-20)' | 'TRON(TRC-20)' | 'Bitcoin';
  family: KeyFamily;
  native: 'ETH' | 'BNB' | 'TRX' | 'BTC';
  defaultConfirmations: number;
  defaultUsdt: string | null;
  /** EIP-155 chain id of EVM networks (payment URIs); null elsewhere. TENDER_CHAIN_ID_<KEY> overrides it. */
  defaultChainId: number | null;
}

export const NETWORKS: readonly NetworkDef[] = [
  {
    key: 'ETHEREUM',
    name: 'Ethereum(ERC-20)',
    family: 'evm',
    native: 'ETH',
    defaultConfirmations: 12,
    defaultUsdt: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    defaultChainId: 1,
  },
  {
    key: 'BSC',
    name: 'BSC(BEP-20)',
    family: 'evm',
    native: 'BNB',
    defaultConfirmations: 15,
    defaultUsdt: '0x55d398326f99059fF775485246999027B3197955',
    defaultChainId: 56,
  },
  {
    key: 'TRON',
    name: 'TRON(TRC-20)',
    family: 'tron',
    native: 'TRX',
    defaultConfirmations: 19,
    defaultUsdt: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
    defaultChainId: null,
  },
  {
    key: 'BITCOIN',
    name: 'Bitcoin',
    family: 'bitcoin',
    native: 'BTC',
    defaultConfirmations: 2,
    defaultUsdt: null,
    defaultChainId: null,
  },
];

/**
 * Input spellings of each network besides its §3 wire name (shared/spec "Network names"): seed 001 §9's
 * example writes "TRON", merchants write the chain's short name. Matched case-insensitively; answers always
 * carry the wire name.
 */
const ALIASES: Readonly<Record<NetworkKey, readonly string[]>> = {
  ETHEREUM: ['ETH', 'Ethereum'],
  BSC: ['BSC'],
  TRON: ['TRON'],
  BITCOIN: ['BTC'],
};

/** The §3 wire name a merchant's network spelling means, or undefined when it names no known network. */
export function wireNetworkName(input: string): NetworkDef['name'] | undefined {
  const wanted = input.toLowerCase();
  const hit = NETWORKS.find(
    (n) => n.name.toLowerCase() === wanted || ALIASES[n.key].some((a) => a.toLowerCase() === wanted),
  );
  return hit?.name;
}

export interface NetworkConfig extends NetworkDef {
  rpc: string;
  confirmations: number;
  /** USDT token contract, or null where the network has none configured. */
  usdt: string | null;
  /** EVM chain id (TENDER_CHAIN_ID_<KEY>, default 1 for Ethereum, 56 for BSC); null for non-EVM networks. */
  chainId: number | null;
  bitcoinNetwork: BitcoinNetwork;
}

export interface CryptoConfig {
  networks: NetworkConfig[];
  xpubs: Partial<Record<KeyFamily, AccountXpub>>;
  /** TENDER_PAYMENT_TOLERANCE_BPS: an order paid at least amount × (1 − bps/10000) completes (default 0). */
  toleranceBps: number;
}

const XPUB_ENV: Record<KeyFamily, string> = {
  evm: 'TENDER_XPUB_EVM',
  tron: 'TENDER_XPUB_TRON',
  bitcoin: 'TENDER_XPUB_BTC',
};

export function loadCryptoConfig(env: NodeJS.ProcessEnv): CryptoConfig {
  const xpubs: CryptoConfig['xpubs'] = {};
  for (const family of Object.keys(XPUB_ENV) as KeyFamily[]) {
    const text = env[XPUB_ENV[family]];
    if (text) {
      try {
        xpubs[family] = parseAccountXpub(text, family);
      } catch (e) {
        throw new Error(`${XPUB_ENV[family]}: ${(e as Error).message}`);
      }
    }
  }
  const networks: NetworkConfig[] = [];
  for (const def of NETWORKS) {
    const rpc = env[`TENDER_RPC_${def.key}`];
    if (!rpc) continue;
    const conf = env[`TENDER_CONFIRMATIONS_${def.key}`];
    const confirmations = conf === undefined || conf === '' ? def.defaultConfirmations : Number(conf);
    if (!Number.isInteger(confirmations) || confirmations < 1)
      throw new Error(`TENDER_CONFIRMATIONS_${def.key} must be a positive integer`);
    const usdtEnv = env[`TENDER_USDT_${def.key}`];
    const bitcoinNetwork = (env.TENDER_BITCOIN_NETWORK ?? 'mainnet') as BitcoinNetwork;
    if (!['mainnet', 'testnet', 'regtest'].includes(bitcoinNetwork))
      throw new Error('TENDER_BITCOIN_NETWORK must be mainnet, testnet or regtest');
    let chainId = def.defaultChainId;
    const chainEnv = env[`TENDER_CHAIN_ID_${def.key}`];
    if (def.family === 'evm' && chainEnv !== undefined && chainEnv !== '') {
      chainId = /^[1-9][0-9]{0,15}$/.test(chainEnv) ? Number(chainEnv) : NaN;
      if (!Number.isSafeInteger(chainId)) throw new Error(`TENDER_CHAIN_ID_${def.key} must be a positive integer`);
    }
    networks.push({
      ...def,
      rpc,
      confirmations,
      chainId,
      usdt: usdtEnv === 'none' ? null : usdtEnv || def.defaultUsdt,
      bitcoinNetwork,
    });
  }
  const tol = env.TENDER_PAYMENT_TOLERANCE_BPS;
  const toleranceBps = tol === undefined || tol === '' ? 0 : Number(tol);
  if (!Number.isInteger(toleranceBps) || toleranceBps < 0 || toleranceBps > 10000)
    throw new Error('TENDER_PAYMENT_TOLERANCE_BPS must be an integer from 0 to 10000');
  return { networks, xpubs, toleranceBps };
}

/** Networks that can take deposits: an RPC to watch and an xpub to derive addresses from. */
export function depositNetworks(c: CryptoConfig): NetworkConfig[] {
  return c.networks.filter((n) => c.xpubs[n.family] !== undefined);
}

/** Asset+network pairs on offer, e.g. USDT on three networks, ETH on Ethereum. */
export function offeredAssets(c: CryptoConfig): { currency: string; network: NetworkConfig }[] {
  const out: { currency: string; network: NetworkConfig }[] = [];
  for (const n of depositNetworks(c)) {
    if (n.usdt) out.push({ currency: 'USDT', network: n });
    out.push({ currency: n.native, network: n });
  }
  return out;
}
