// Building and signing a Bitcoin payout with @scure/btc-signer (pure apart from the signer call). The hot
// wallet is the P2WPKH address of the signer's compressed public key. The library computes each input's
// BIP143 digest (`preimageWitnessV0`), the Secp256k1Signer signs it (so an external signer can replace the
// local key), and the DER signature with SIGHASH_ALL and the public key become the input's partial signature,
// which the library finalizes into the witness. Signatures are deterministic (RFC 6979, low S): the bytes
// equal the library's own `tx.sign(privateKey)` for the same key and inputs (tested).
import { Address, NETWORK, OutScript, SigHash, TEST_NETWORK, Transaction, p2wpkh } from '@scure/btc-signer';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { BitcoinNetwork } from '../../crypto/derivation.js';
import type { Secp256k1Signer } from '../signer.js';
import type { Utxo } from './coins.js';

export type BtcNetwork = typeof NETWORK;

/** BIP125 replaceable: only the hot wallet's key can replace it, and a later fee bump stays possible. */
const SEQUENCE = 0xfffffffd;

/** Regtest shares testnet's base58 versions; its bech32 prefix is "bcrt". */
export function btcNetwork(n: BitcoinNetwork): BtcNetwork {
  if (n === 'mainnet') return NETWORK;
  if (n === 'testnet') return TEST_NETWORK;
  return { ...TEST_NETWORK, bech32: 'bcrt' };
}

export interface HotWallet {
  publicKey: Uint8Array;
  address: string;
  /** Its output script, OP_0 <20-byte key hash>. */
  script: Uint8Array;
  /** The script BIP143 signs for a P2WPKH input: the P2PKH script of the same key hash. */
  scriptCode: Uint8Array;
}

export function hotWallet(publicKey: Uint8Array, net: BtcNetwork): HotWallet {
  if (publicKey.length !== 33 || (publicKey[0] !== 2 && publicKey[0] !== 3))
    throw new Error('the Bitcoin hot wallet needs a 33-byte compressed public key');
  const pay = p2wpkh(publicKey, net);
  const decoded = OutScript.decode(pay.script);
  if (decoded.type !== 'wpkh') throw new Error('unexpected P2WPKH script');
  return {
    publicKey,
    address: pay.address!,
    script: pay.script,
    scriptCode: OutScript.encode({ type: 'pkh', hash: decoded.hash }),
  };
}

/** The output script of a destination address on `net`; throws when it is not an address of that network. */
export function destinationScript(to: string, net: BtcNetwork): Uint8Array {
  return OutScript.encode(Address(net).decode(to));
}

/** The address an output script pays on `net`, or undefined for scripts without one (OP_RETURN, bare). */
export function scriptAddress(script: Uint8Array, net: BtcNetwork): string | undefined {
  try {
    return Address(net).encode(OutScript.decode(script));
  } catch {
    return undefined;
  }
}

export interface PayoutPlan {
  inputs: readonly Utxo[];
  payScript: Uint8Array;
  amount: bigint;
  /** 0n: no change output. */
  change: bigint;
}

/** The unsigned transaction: version 2, locktime 0, inputs in plan order (RBF-signalling sequence), the
 * payee first, the change (to the hot wallet) second. */
export function unsignedPayout(plan: PayoutPlan, wallet: HotWallet): Transaction {
  const tx = new Transaction({ version: 2, lockTime: 0 });
  for (const u of plan.inputs)
    tx.addInput({
      txid: u.txid,
      index: u.vout,
      sequence: SEQUENCE,
      witnessUtxo: { script: wallet.script, amount: u.value },
    });
  tx.addOutput({ script: plan.payScript, amount: plan.amount });
  if (plan.change > 0n) tx.addOutput({ script: wallet.script, amount: plan.change });
  return tx;
}

/** The BIP143 digest (SIGHASH_ALL) of every input, in input order. */
export function inputDigests(tx: Transaction, wallet: HotWallet, inputs: readonly Utxo[]): Uint8Array[] {
  return inputs.map((u, i) => tx.preimageWitnessV0(i, wallet.scriptCode, SigHash.ALL, u.value));
}

export interface SignedPayout {
  txid: string;
  hex: string;
  vsize: number;
}

/** Signs every input through `signer`, checks each signature against the wallet's key, finalizes, extracts. */
export async function signPayout(
  tx: Transaction,
  wallet: HotWallet,
  inputs: readonly Utxo[],
  signer: Secp256k1Signer,
): Promise<SignedPayout> {
  const digests = inputDigests(tx, wallet, inputs);
  for (const [i, digest] of digests.entries()) {
    const { compact } = await signer.signDigest(digest);
    // An external signer's answer is checked here, not first by the network: a wrong key or a high S would
    // otherwise be stored and broadcast as a transaction that can never land.
    if (!secp256k1.verify(compact, digest, wallet.publicKey, { prehash: false, lowS: true }))
      throw new Error(`the signer's signature for input ${i} does not verify against the hot wallet key`);
    const der = secp256k1.Signature.fromBytes(compact, 'compact').toBytes('der');
    const sig = new Uint8Array(der.length + 1);
    sig.set(der);
    sig[der.length] = SigHash.ALL;
    tx.updateInput(i, { partialSig: [[wallet.publicKey, sig]] }, true);
  }
  tx.finalize();
  const raw = tx.extract();
  return { txid: tx.id, hex: Buffer.from(raw).toString('hex'), vsize: tx.vsize };
}

/** The outpoints "txid:vout" a raw transaction spends, and its txid (for a broadcast after a restart). */
export function rawOutpoints(hex: string): { txid: string; outpoints: string[] } {
  const tx = Transaction.fromRaw(Uint8Array.from(Buffer.from(hex, 'hex')), {
    allowUnknownOutputs: true,
    allowUnknownInputs: true,
    disableScriptCheck: true,
  });
  const outpoints: string[] = [];
  for (let i = 0; i < tx.inputsLength; i++) {
    const input = tx.getInput(i);
    outpoints.push(`${Buffer.from(input.txid!).toString('hex')}:${input.index}`);
  }
  return { txid: tx.id, outpoints };
}
