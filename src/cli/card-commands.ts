// `tender card show|refund|chargeback <orderId>` (issue 13 part 3, docs/refunds.md): the operator's card money
// actions from the command line, audited as the CLI.
import type { Runtime } from '../runtime.js';
import { CLI_ACTOR } from '../core/audit-log.js';
import { requestRefund } from '../core/card-refunds.js';
import { recordChargeback } from '../core/card-chargebacks.js';
import { cardMoney } from '../core/card-money-view.js';

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>;
type Opts = Record<string, string | boolean | undefined>;

export const CARD_USAGE = `  card show <orderId>           a card order's refunds, chargebacks and reserve
  card refund <orderId> --amount A --key K [--reason R]      refund (idempotent per merchant and key)
  card chargeback <orderId> --amount A --case C [--reason R] record a chargeback (reserve first, then available)`;

const str = (o: Opts, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');

export async function cardCommand(
  withRuntime: WithRuntime,
  sub: string | undefined,
  orderId: string | undefined,
  o: Opts,
) {
  if (!orderId) return 2;
  const print = (v: unknown) => console.log(JSON.stringify(v, null, o.json ? undefined : 2));
  if (sub === 'show') print(await withRuntime(({ deps }) => cardMoney(deps, orderId)));
  else if (sub === 'refund')
    print(
      await withRuntime(({ deps }) =>
        requestRefund(deps, CLI_ACTOR, {
          orderId,
          amount: str(o, 'amount'),
          refundKey: str(o, 'key'),
          reason: str(o, 'reason'),
        }),
      ),
    );
  else if (sub === 'chargeback')
    print(
      await withRuntime(({ deps }) =>
        recordChargeback(deps, CLI_ACTOR, {
          orderId,
          amount: str(o, 'amount'),
          caseId: str(o, 'case'),
          reason: str(o, 'reason'),
        }),
      ),
    );
  else return 2;
  return 0;
}
