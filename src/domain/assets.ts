// The exponent table, keyed by asset and network; network '' is the ledger's unit of the currency.
import { TenderError } from './errors.js';

export interface AssetRow {
  code: string;
  network: string;
  exponent: number;
  kind: 'fiat' | 'crypto';
  /** Largest order amount in these minor units (ledger rows); null where none is set. */
  maxAmount?: bigint | null;
}

export class AssetTable {
  readonly #rows = new Map<string, AssetRow>();
  constructor(rows: AssetRow[]) {
    for (const r of rows) this.#rows.set(`${r.code}|${r.network}`, r);
  }

  find(code: string, network = ''): AssetRow | undefined {
    return this.#rows.get(`${code}|${network}`);
  }

  /** The ledger row of a currency; throws UNSUPPORTED_CURRENCY for unknown codes. */
  ledger(code: string): AssetRow {
    const r = this.find(code);
    if (!r) throw new TenderError('UNSUPPORTED_CURRENCY', `currency ${code} is not supported`);
    return r;
  }

  exponent(code: string, network = ''): number {
    const r = this.find(code, network);
    if (!r)
      throw new TenderError(
        'UNSUPPORTED_CURRENCY',
        `currency ${code}${network ? ` on ${network}` : ''} is not supported`,
      );
    return r.exponent;
  }

  /** Refuses an order amount (ledger minor units) above the currency's maximum: AMOUNT_TOO_LARGE. */
  assertWithinMax(code: string, amount: bigint, field = 'amount'): void {
    const r = this.ledger(code);
    if (r.maxAmount != null && amount > r.maxAmount) {
      throw new TenderError('AMOUNT_TOO_LARGE', `${field} is above the maximum of ${code} orders`);
    }
  }

  ledgerCurrencies(): AssetRow[] {
    return [...this.#rows.values()].filter((r) => r.network === '');
  }
}
