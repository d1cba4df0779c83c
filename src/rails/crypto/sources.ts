// Picks the chain source of a configured network by its key family.
import type { NetworkConfig } from './networks.js';
import type { ChainSource } from './chain-source.js';
import { evmChain } from '../evm/client.js';
import { tronChain } from '../tron/client.js';
import { esploraChain } from '../bitcoin/esplora.js';

export function chainSourceFor(net: NetworkConfig): ChainSource {
  switch (net.family) {
    case 'evm':
      return evmChain(net.rpc, net.usdt);
    case 'tron':
      return tronChain(net.rpc, net.usdt, { apiKey: process.env.TENDER_TRON_API_KEY || undefined });
    case 'bitcoin':
      return esploraChain(net.rpc);
    default:
      throw new Error(`no chain source for ${net.name} yet`);
  }
}
