// The BIP39 reference mnemonic ("abandon … about") whose published BIP84/BIP44 addresses the crypto tests
// check against, and the account xpubs Tender is configured with in those tests.
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';

export const REFERENCE_MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
export const referenceRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(REFERENCE_MNEMONIC));
export const referenceXpub = (path: string): string => referenceRoot.derive(path).publicExtendedKey;

/**
 * Environment that offers every network with the reference account keys. The RPC endpoints point at a
 * closed port: tests using this run no watcher, they only need the networks to be offered.
 */
export const offlineCryptoEnv = (): Record<string, string> => ({
  TENDER_XPUB_EVM: referenceXpub("m/44'/60'/0'"),
  TENDER_XPUB_TRON: referenceXpub("m/44'/195'/0'"),
  TENDER_XPUB_BTC: referenceXpub("m/84'/0'/0'"),
  TENDER_RPC_ETHEREUM: 'http://127.0.0.1:1',
  TENDER_RPC_BSC: 'http://127.0.0.1:1',
  TENDER_RPC_TRON: 'http://127.0.0.1:1',
  TENDER_RPC_BITCOIN: 'http://127.0.0.1:1',
});
