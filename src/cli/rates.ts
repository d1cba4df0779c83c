// `tender rate ...`: operator-set rates and per-merchant spread and exchange fee (docs/rates-and-exchange.md).
import type { Runtime } from '../runtime.js';
import { listOperatorRates, removeOperatorRate, setOperatorRate } from '../core/rates/operator-rates.js';
import { merchantRateView, setMerchantRateSettings } from '../core/rates/merchant-rates.js';
import { CLI_ACTOR } from '../core/audit-log.js';

export const RATE_USAGE = [
  '  rate set <BASE> <QUOTE> <PRICE>  1 BASE costs PRICE QUOTE, stamped now (rate set BTC USDT 40000)',
  '  rate list [--json]                operator-set rates with their times and freshness',
  '  rate delete <BASE> <QUOTE>',
  '  rate merchant <merchantId> [spread=<bps>|spread=default] [fee=<bps>|fee=default]',
  "                                    a merchant's spread and exchange fee (shown when no change is given)",
].join('\n');

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>;

function bpsArg(v: string, name: string): number | null {
  if (v === 'default') return null;
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 10000) throw new Error(`${name} must be 0-10000 basis points or default`);
  return Number(v);
}

/** Runs one `rate` subcommand; returns the exit code (2: usage). */
export async function rateCommand(args: string[], json: boolean, withRuntime: WithRuntime): Promise<number> {
  const [sub, ...rest] = args;
  const out = (v: unknown) => console.log(JSON.stringify(v, null, json ? undefined : 2));
  if (sub === 'set' && rest.length === 3) {
    const [base, quote, price] = rest as [string, string, string];
    out(
      await withRuntime(({ deps }) => setOperatorRate(deps, base.toUpperCase(), quote.toUpperCase(), price, CLI_ACTOR)),
    );
    return 0;
  }
  if (sub === 'list' && rest.length === 0) {
    const rows = await withRuntime(({ deps }) => listOperatorRates(deps));
    if (json) out(rows);
    else
      for (const r of rows)
        console.log(`1 ${r.base} = ${r.price} ${r.quote}  set ${r.setAt}${r.fresh ? '' : '  (STALE: not used)'}`);
    return 0;
  }
  if (sub === 'delete' && rest.length === 2) {
    const [base, quote] = rest as [string, string];
    out(await withRuntime(({ deps }) => removeOperatorRate(deps, base.toUpperCase(), quote.toUpperCase(), CLI_ACTOR)));
    return 0;
  }
  if (sub === 'merchant' && rest.length >= 1) {
    const [id, ...changes] = rest as [string, ...string[]];
    const patch: { spreadBps?: number | null; exchangeFeeBps?: number | null } = {};
    for (const c of changes) {
      const m = /^(spread|fee)=(.+)$/.exec(c);
      if (!m) return 2;
      if (m[1] === 'spread') patch.spreadBps = bpsArg(m[2]!, 'spread');
      else patch.exchangeFeeBps = bpsArg(m[2]!, 'fee');
    }
    out(
      await withRuntime(({ deps }) =>
        changes.length ? setMerchantRateSettings(deps, id, patch, CLI_ACTOR) : merchantRateView(deps, id),
      ),
    );
    return 0;
  }
  return 2;
}
