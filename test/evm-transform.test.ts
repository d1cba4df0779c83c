// Pure EVM rail transformers: chain units ↔ ledger units through the asset table (never lossy) and the
// under/overpayment verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssetTable } from '../src/domain/assets.js';
import { TenderError } from '../src/domain/errors.js';
import { chainToLedger, ledgerToChain, paymentVerdict } from '../src/rails/evm/transform.js';

const assets = new AssetTable([
  { code: 'USDT', network: '', exponent: 18, kind: 'crypto' },
  { code: 'USDT', network: 'Ethereum(ERC-20)', exponent: 6, kind: 'crypto' },
  { code: 'USDT', network: 'BSC(BEP-20)', exponent: 18, kind: 'crypto' },
  { code: 'ETH', network: '', exponent: 18, kind: 'crypto' },
  { code: 'ETH', network: 'Ethereum(ERC-20)', exponent: 18, kind: 'crypto' },
]);

test('USDT: 6 decimals on Ethereum and 18 on BSC both land in the 18-decimal ledger unit', () => {
  assert.equal(chainToLedger(assets, 'USDT', 'Ethereum(ERC-20)', 12_500_000n), 12_500_000_000_000_000_000n);
  assert.equal(chainToLedger(assets, 'USDT', 'BSC(BEP-20)', 12_500_000_000_000_000_000n), 12_500_000_000_000_000_000n);
  assert.equal(chainToLedger(assets, 'ETH', 'Ethereum(ERC-20)', 1n), 1n, 'one wei');
  assert.equal(ledgerToChain(assets, 'USDT', 'Ethereum(ERC-20)', 10n ** 18n), 1_000_000n);
});

test('a ledger amount that the chain cannot carry is an error, never a rounding', () => {
  assert.throws(
    () => ledgerToChain(assets, 'USDT', 'Ethereum(ERC-20)', 10n ** 18n + 1n),
    (e) => e instanceof TenderError && e.code === 'AMOUNT_NOT_REPRESENTABLE',
  );
  assert.throws(
    () => chainToLedger(assets, 'USDT', 'TRON(TRC-20)', 1n),
    (e) => e instanceof TenderError && e.code === 'UNSUPPORTED_CURRENCY',
  );
});

test('payment verdict with a tolerance in basis points', () => {
  assert.equal(paymentVerdict(1000n, 1000n, 0), 'exact');
  assert.equal(paymentVerdict(1000n, 1001n, 0), 'over');
  assert.equal(paymentVerdict(1000n, 999n, 0), 'underpaid');
  assert.equal(paymentVerdict(1000n, 990n, 100), 'under-within-tolerance');
  assert.equal(paymentVerdict(1000n, 989n, 100), 'underpaid');
});
