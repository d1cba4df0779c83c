// The BIP39 reference mnemonic ("abandon … about") whose published BIP84/BIP44 addresses the crypto tests
// check against, and the account xpubs Tender is configured with in those tests.
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';

export const REFERENCE_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
export const referenceRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(REFERENCE_MNEMONIC));
export const referenceXpub = (path: string): string => referenceRoot.derive(path).publicExtendedKey;
