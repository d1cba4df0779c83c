// Payment URIs of the hosted page's QR code (BIP21, EIP-681, TRON), exact amount conversion from ledger
// units to chain units, and the configurable EVM chain ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bip21Uri,
  eip681NativeUri,
  eip681TokenUri,
  paymentUri,
  tronUri,
  type PaymentRequest,
} from '../src/domain/payment-uri.js';
import { loadCryptoConfig } from '../src/rails/crypto/networks.js';
import { parseDecimal } from '../src/domain/money.js';
import { TenderError } from '../src/domain/errors.js';

const EVM = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94';
const TRON = 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH';
const BTC = 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu';
const USDT_ETH = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const USDT_BSC = '0x55d398326f99059fF775485246999027B3197955';
const USDT_TRON = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

/** An order amount as the ledger stores it (assets table, network ''). */
const ledger = (text: string, exp: number) => parseDecimal(text, exp);
const req = (r: Partial<PaymentRequest> & Pick<PaymentRequest, 'family' | 'address'>): PaymentRequest => ({
  amount: 0n,
  ledgerExponent: 18,
  chainExponent: 18,
  token: null,
  chainId: null,
  ...r,
});

test('BIP21: bitcoin:<address>?amount=<BTC decimal>', () => {
  assert.equal(bip21Uri(BTC, 100_000n), `bitcoin:${BTC}?amount=0.001`);
  assert.equal(bip21Uri(BTC, 1n), `bitcoin:${BTC}?amount=0.00000001`);
  assert.equal(bip21Uri(BTC, 2_100_000_000_000_000n), `bitcoin:${BTC}?amount=21000000`);
  const u = paymentUri(
    req({ family: 'bitcoin', address: BTC, amount: ledger('0.015', 8), ledgerExponent: 8, chainExponent: 8 }),
  );
  assert.deepEqual(u, { uri: `bitcoin:${BTC}?amount=0.015`, chainAmount: 1_500_000n, display: '0.015' });
});

test('EIP-681 native: ethereum:<address>@<chainId>?value=<wei>', () => {
  assert.equal(eip681NativeUri(EVM, 1, 500_000_000_000_000_000n), `ethereum:${EVM}@1?value=500000000000000000`);
  const eth = paymentUri(req({ family: 'evm', address: EVM, amount: ledger('0.5', 18), chainId: 1 }));
  assert.equal(eth.uri, `ethereum:${EVM}@1?value=500000000000000000`);
  assert.equal(eth.display, '0.5');
  const bnb = paymentUri(req({ family: 'evm', address: EVM, amount: ledger('1.000000000000000001', 18), chainId: 56 }));
  assert.equal(bnb.uri, `ethereum:${EVM}@56?value=1000000000000000001`, 'one wei more is kept, not rounded');
});

test('EIP-681 ERC-20: ethereum:<token>@<chainId>/transfer?address=<to>&uint256=<token units>', () => {
  assert.equal(
    eip681TokenUri(USDT_ETH, 1, EVM, 12_500_000n),
    `ethereum:${USDT_ETH}@1/transfer?address=${EVM}&uint256=12500000`,
  );
  // USDT: ledger exponent 18, 6 decimals on Ethereum, 18 on BSC.
  const erc20 = paymentUri(
    req({ family: 'evm', address: EVM, amount: ledger('12.5', 18), chainExponent: 6, token: USDT_ETH, chainId: 1 }),
  );
  assert.deepEqual(erc20, {
    uri: `ethereum:${USDT_ETH}@1/transfer?address=${EVM}&uint256=12500000`,
    chainAmount: 12_500_000n,
    display: '12.5',
  });
  const bep20 = paymentUri(
    req({ family: 'evm', address: EVM, amount: ledger('12.5', 18), chainExponent: 18, token: USDT_BSC, chainId: 56 }),
  );
  assert.equal(bep20.uri, `ethereum:${USDT_BSC}@56/transfer?address=${EVM}&uint256=12500000000000000000`);
  const local = paymentUri(
    req({
      family: 'evm',
      address: EVM,
      amount: ledger('0.000001', 18),
      chainExponent: 6,
      token: USDT_ETH,
      chainId: 31337,
    }),
  );
  assert.equal(local.uri, `ethereum:${USDT_ETH}@31337/transfer?address=${EVM}&uint256=1`);
});

test('TRON: tron:<address>?amount=<decimal> for TRX, plus &token=<contract> for TRC-20', () => {
  assert.equal(tronUri(TRON, 12_500_000n, 6), `tron:${TRON}?amount=12.5`);
  assert.equal(tronUri(TRON, 12_500_000n, 6, USDT_TRON), `tron:${TRON}?amount=12.5&token=${USDT_TRON}`);
  const trx = paymentUri(
    req({ family: 'tron', address: TRON, amount: ledger('100', 6), ledgerExponent: 6, chainExponent: 6 }),
  );
  assert.equal(trx.uri, `tron:${TRON}?amount=100`);
  const usdt = paymentUri(
    req({ family: 'tron', address: TRON, amount: ledger('12.345678', 18), chainExponent: 6, token: USDT_TRON }),
  );
  assert.deepEqual(usdt, {
    uri: `tron:${TRON}?amount=12.345678&token=${USDT_TRON}`,
    chainAmount: 12_345_678n,
    display: '12.345678',
  });
});

test('an amount the chain cannot represent is refused, never rounded', () => {
  const seven = ledger('12.1234567', 18);
  for (const r of [
    req({ family: 'tron', address: TRON, amount: seven, chainExponent: 6, token: USDT_TRON }),
    req({ family: 'evm', address: EVM, amount: seven, chainExponent: 6, token: USDT_ETH, chainId: 1 }),
    req({ family: 'bitcoin', address: BTC, amount: 1n, ledgerExponent: 18, chainExponent: 8 }),
  ]) {
    assert.throws(
      () => paymentUri(r),
      (e: unknown) => e instanceof TenderError && e.code === 'AMOUNT_NOT_REPRESENTABLE',
    );
  }
  // The same amount is fine where the asset has 18 decimals (USDT on BSC).
  assert.equal(
    paymentUri(req({ family: 'evm', address: EVM, amount: seven, token: USDT_BSC, chainId: 56 })).uri,
    `ethereum:${USDT_BSC}@56/transfer?address=${EVM}&uint256=12123456700000000000`,
  );
});

test('malformed inputs are refused: addresses, chain ids, zero amounts', () => {
  const bad = (f: () => unknown) => assert.throws(f, TenderError);
  bad(() => eip681NativeUri('0x123', 1, 1n));
  bad(() => eip681NativeUri(EVM, 0, 1n));
  bad(() => eip681NativeUri(EVM, 1.5, 1n));
  bad(() => eip681NativeUri(EVM, 1, 0n));
  bad(() => eip681TokenUri(TRON, 1, EVM, 1n));
  bad(() => tronUri(EVM, 1n, 6));
  bad(() => tronUri(TRON, 1n, 6, 'x&amount=1'));
  bad(() => bip21Uri(`${BTC}?amount=1`, 1n));
  bad(() => paymentUri(req({ family: 'evm', address: EVM, amount: 1n, chainId: null })));
  bad(() =>
    paymentUri(
      req({ family: 'bitcoin', address: BTC, amount: 1n, ledgerExponent: 8, chainExponent: 8, token: USDT_ETH }),
    ),
  );
});

test('chain ids: Ethereum 1 and BSC 56 by default, TENDER_CHAIN_ID_<NETWORK> overrides, non-EVM have none', () => {
  const rpc = {
    TENDER_RPC_ETHEREUM: 'http://x',
    TENDER_RPC_BSC: 'http://x',
    TENDER_RPC_TRON: 'http://x',
    TENDER_RPC_BITCOIN: 'http://x',
  };
  const ids = (env: NodeJS.ProcessEnv) =>
    Object.fromEntries(loadCryptoConfig(env).networks.map((n) => [n.key, n.chainId]));
  assert.deepEqual(ids(rpc), { ETHEREUM: 1, BSC: 56, TRON: null, BITCOIN: null });
  assert.deepEqual(ids({ ...rpc, TENDER_CHAIN_ID_ETHEREUM: '31337', TENDER_CHAIN_ID_BSC: '97' }), {
    ETHEREUM: 31337,
    BSC: 97,
    TRON: null,
    BITCOIN: null,
  });
  for (const v of ['0', '-1', '1.5', 'abc', '99999999999999999']) {
    assert.throws(() => loadCryptoConfig({ ...rpc, TENDER_CHAIN_ID_ETHEREUM: v }), /TENDER_CHAIN_ID_ETHEREUM/, v);
  }
});
