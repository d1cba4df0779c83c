// `tender operator|payout|hot-wallet …` (issue 11): operators, two-person payout approval, fees, thresholds
// and hot wallets. A hot wallet's key is generated and sealed here and never printed.
import type { Runtime } from '../runtime.js';
import { createOperator, authenticateOperator, createConsoleOperator } from '../core/operators.js';
import { approvePayout, rejectPayout } from '../core/payout-approval.js';
import { setApprovalThreshold, setPayoutFee } from '../core/payout-settings.js';
import { createHotWallet, hotWalletBalances } from '../core/hot-wallets.js';
import { openPayouts } from '../store/payouts-repo.js';
import { CLI_ACTOR } from '../core/audit-log.js';

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>;
type Opts = Record<string, string | boolean | undefined>;

const str = (o: Opts, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

export async function payoutCommand(
  withRuntime: WithRuntime,
  cmd: string,
  sub: string | undefined,
  arg: string | undefined,
  o: Opts,
): Promise<number> {
  const print = (v: unknown) => console.log(JSON.stringify(v, null, o.json ? undefined : 2));
  // Issue 12: a console operator (email as username, one-time password, role), who also gets the API token.
  if (cmd === 'operator' && sub === 'create' && !arg && str(o, 'email') !== undefined) {
    const c = await withRuntime(({ deps }) =>
      createConsoleOperator(deps, { email: str(o, 'email') ?? '', role: str(o, 'role') ?? '' }),
    );
    if (o.json) print(c);
    else
      console.log(
        [
          `operatorId: ${c.operatorId}`,
          `username:   ${c.username}`,
          `role:       ${c.role}`,
          `password:   ${c.password}   (one-time: change it at the first login at /console/login)`,
          `token:      ${c.token}   (payout approval API; shown once: keep it private)`,
        ].join('\n'),
      );
    return 0;
  }
  if (cmd === 'operator' && sub === 'create' && arg) {
    const { operator, token } = await withRuntime(({ deps }) => createOperator(deps, arg));
    console.log(`operator: ${operator.name}\ntoken:    ${token}   (shown once: keep it private)`);
    return 0;
  }
  if (cmd === 'payout' && sub === 'list') {
    print(await withRuntime(({ deps }) => openPayouts(deps.db)));
    return 0;
  }
  if (cmd === 'payout' && (sub === 'approve' || sub === 'reject') && arg) {
    const token = str(o, 'operator-token') ?? process.env.TENDER_OPERATOR_TOKEN;
    print(
      await withRuntime(async ({ deps }) => {
        const op = await authenticateOperator(deps, token);
        return sub === 'approve' ? approvePayout(deps, op, arg) : rejectPayout(deps, op, arg);
      }),
    );
    return 0;
  }
  if (cmd === 'payout' && sub === 'fee' && arg) {
    await withRuntime(({ deps }) =>
      setPayoutFee(
        deps,
        arg,
        str(o, 'asset') ?? '',
        str(o, 'network') ?? '',
        str(o, 'fixed') ?? '0',
        Number(str(o, 'bps') ?? 0),
        CLI_ACTOR,
      ),
    );
    console.log('payout fee set');
    return 0;
  }
  if (cmd === 'payout' && sub === 'threshold' && arg) {
    await withRuntime(({ deps }) =>
      setApprovalThreshold(deps, arg, str(o, 'currency') ?? '', str(o, 'amount') ?? '', CLI_ACTOR),
    );
    console.log('approval threshold set');
    return 0;
  }
  if (cmd === 'hot-wallet' && sub === 'create') {
    const w = await withRuntime(({ deps }) => createHotWallet(deps, str(o, 'family') ?? '', CLI_ACTOR));
    console.log(`family:  ${w.family}\naddress: ${w.address}   (fund it; the key is sealed in the database)`);
    return 0;
  }
  if (cmd === 'hot-wallet' && sub === 'balances') {
    print(await withRuntime(({ deps }) => hotWalletBalances(deps)));
    return 0;
  }
  console.error('usage: see `tender --help`');
  return 2;
}
