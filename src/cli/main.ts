// `npx tender <command>`: operator commands. They work with the server running (attaching to its
// embedded database) or stopped (starting the embedded database for the duration of the command).
import { parseArgs } from 'node:util';
import { adminToken, loadConfig } from '../config.js';
import { createLogger, openRuntime, type Runtime } from '../runtime.js';
import {
  createMerchant,
  merchantDetail,
  merchantView,
  rotateMerchantSecret,
  rotateSecurityKey,
  updateSettings,
} from '../core/merchants.js';
import { CLI_ACTOR, searchAuditLog } from '../core/audit-log.js';
import { reactivateMerchant, suspendMerchant } from '../core/console-suspension.js';
import { rotateCinetpayCredentials } from '../core/cinetpay-sites.js';
import { resendOrderWebhook } from '../core/webhooks.js';
import { listDepositAddresses } from '../core/address-listing.js';
import { isTenderError } from '../domain/errors.js';
import { serve } from '../server.js';
import { RATE_USAGE, rateCommand } from './rates.js';
import { payoutCommand } from './payout-commands.js';
import { CARD_USAGE, cardCommand } from './card-commands.js';

const USAGE = `usage: tender <command>
  serve                         run the HTTP API only
  worker                        run the background workers only (webhooks, expiry)
  migrate                       apply database migrations
  merchant create --brand B --company C --website URL --email E [--callback-url URL]
                  [--webhook-format cpay|cpay-legacy] [--fee-bps N] [--currency USD] [--hosts h1,h2] [--json]
  merchant rotate-key <merchantId> [--json]
  merchant rotate-cinetpay <merchantId> [--site SITE_ID] [--json]   new CinetPay apikey + notification secret
  merchant rotate-secret <merchantId> [--json]   new minimal-dialect merchant secret
  merchant suspend <merchantId> --reason TEXT   refuse every API request of the merchant (MERCHANT_SUSPENDED)
  merchant reactivate <merchantId>
  merchant show <merchantId>
  merchant update <merchantId> [--callback-url URL] [--webhook-format F] [--fee-bps N] [--currency C] [--hosts h1,h2]
  addresses list [--merchant ID] [--balances] [--json]
                                deposit addresses with derivation paths (and on-chain balances), for sweeping
  webhook resend <orderId>
  audit list [--actor cli|admin-token|system|ID] [--merchant ID] [--action A] [--from D] [--to D] [--after CURSOR]
                                the audit log of operator actions, newest first (--json for one JSON page)
  admin-token                   print the operator API token
  operator create --email E --role admin|support [--json]
                                a console operator: prints the username, a one-time password and the API token
  operator create <name>        a payout approver without console login; prints its token once
  payout list                   payouts not yet final, with approvals and the reason they wait
  payout approve|reject <orderId> --operator-token T   (or TENDER_OPERATOR_TOKEN)
  payout fee <merchantId> --asset USDT --network TRON --fixed 1 [--bps 0]
  payout threshold <merchantId> --currency USDT --amount 1000   above it two operators must approve
  hot-wallet create --family evm|tron|bitcoin   new key sealed with the master key; prints the address only
  hot-wallet balances           hot wallet balance per network and asset
${CARD_USAGE}
${RATE_USAGE}`;

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const cfg = loadConfig();
  // Commands print their result on stdout; logs go to stderr and only when they matter.
  const log = createLogger({ ...cfg, logLevel: process.env.LOG_LEVEL ?? 'warn' }, process.stderr);
  const rt = await openRuntime(cfg, log);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

const OPTIONS = {
  brand: { type: 'string' },
  company: { type: 'string' },
  website: { type: 'string' },
  email: { type: 'string' },
  'callback-url': { type: 'string' },
  'webhook-format': { type: 'string' },
  'fee-bps': { type: 'string' },
  currency: { type: 'string' },
  hosts: { type: 'string' },
  site: { type: 'string' },
  json: { type: 'boolean' },
  merchant: { type: 'string' },
  balances: { type: 'boolean' },
  'operator-token': { type: 'string' },
  role: { type: 'string' },
  family: { type: 'string' },
  asset: { type: 'string' },
  network: { type: 'string' },
  fixed: { type: 'string' },
  bps: { type: 'string' },
  amount: { type: 'string' },
  reason: { type: 'string' },
  actor: { type: 'string' },
  action: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  after: { type: 'string' },
  key: { type: 'string' },
  case: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function intOpt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v)) throw new Error(`--${name} must be a whole number`);
  return Number(v);
}

export async function main(argv: string[]): Promise<number> {
  const { values: o, positionals: pos } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [cmd, sub, arg] = pos;
  if (o.help || !cmd) {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const out = (v: unknown) => console.log(JSON.stringify(v, null, o.json ? undefined : 2));

  switch (cmd) {
    case 'serve':
      await serve({ api: true, workers: false });
      return -1;
    case 'worker':
      await serve({ api: false, workers: true });
      return -1;
    case 'migrate':
      await withRuntime(async () => console.log('migrations applied'));
      return 0;
    case 'admin-token':
      console.log(adminToken(loadConfig()));
      return 0;
    case 'merchant':
      if (sub === 'create') {
        const creds = await withRuntime(({ deps }) =>
          createMerchant(
            deps,
            {
              brand: o.brand ?? '',
              company: o.company ?? '',
              website: o.website ?? '',
              email: o.email ?? '',
              callbackUrl: o['callback-url'],
              webhookFormat: o['webhook-format'] as 'cpay' | 'cpay-legacy' | undefined,
              feeBps: intOpt(o['fee-bps'], 'fee-bps'),
              defaultCurrency: o.currency,
              extraHosts: o.hosts?.split(',').filter(Boolean),
            },
            CLI_ACTOR,
          ),
        );
        if (o.json) out(creds);
        else
          console.log(
            [
              `merchantId:     ${creds.merchantId}`,
              `username:       ${creds.username}`,
              `password:       ${creds.password}   (one-time: change it at first login)`,
              `securityKey:    ${creds.securityKey}`,
              `merchantSecret: ${creds.merchantSecret}`,
              `siteId:         ${creds.siteId}   (CinetPay site_id)`,
              `apikey:         ${creds.apikey}   (CinetPay apikey)`,
              `notifySecret:   ${creds.notifySecret}   (CinetPay notification secret: keys the x-token)`,
              'Keep the password, the security key, the merchant secret, the apikey and the notification secret ' +
                'private.',
            ].join('\n'),
          );
        return 0;
      }
      if (sub === 'rotate-key' && arg) {
        const r = await withRuntime(({ deps }) => rotateSecurityKey(deps, arg, CLI_ACTOR));
        if (o.json) out(r);
        else
          console.log(`merchantId:  ${r.merchantId}\nsecurityKey: ${r.securityKey}\nThe previous key no longer works.`);
        return 0;
      }
      if (sub === 'rotate-cinetpay' && arg) {
        const r = await withRuntime(({ deps }) => rotateCinetpayCredentials(deps, arg, o.site, CLI_ACTOR));
        if (o.json) out(r);
        else
          console.log(
            [
              `merchantId:   ${r.merchantId}`,
              `siteId:       ${r.siteId}`,
              `apikey:       ${r.apikey}`,
              `notifySecret: ${r.notifySecret}`,
              'The previous apikey and notification secret no longer work.',
            ].join('\n'),
          );
        return 0;
      }
      if (sub === 'rotate-secret' && arg) {
        const r = await withRuntime(({ deps }) => rotateMerchantSecret(deps, arg, CLI_ACTOR));
        if (o.json) out(r);
        else
          console.log(
            `merchantId:     ${r.merchantId}\nmerchantSecret: ${r.merchantSecret}\n` +
              'The previous secret no longer works.',
          );
        return 0;
      }
      if ((sub === 'suspend' || sub === 'reactivate') && arg) {
        const r = await withRuntime(({ deps }) =>
          sub === 'suspend'
            ? suspendMerchant(deps, arg, o.reason ?? '', CLI_ACTOR)
            : reactivateMerchant(deps, arg, CLI_ACTOR),
        );
        if (o.json) out(r);
        else
          console.log(
            `merchant ${r.merchantId} is ${r.suspended ? 'suspended' : 'active'}` +
              (r.changed ? '' : ' (it already was: nothing changed)'),
          );
        return 0;
      }
      if (sub === 'show' && arg) {
        out(await withRuntime(({ deps }) => merchantDetail(deps, arg)));
        return 0;
      }
      if (sub === 'update' && arg) {
        out(
          merchantView(
            await withRuntime(({ deps }) =>
              updateSettings(
                deps,
                arg,
                {
                  callbackUrl: o['callback-url'],
                  webhookFormat: o['webhook-format'],
                  feeBps: intOpt(o['fee-bps'], 'fee-bps'),
                  defaultCurrency: o.currency,
                  allowedHosts: o.hosts?.split(',').filter(Boolean),
                },
                CLI_ACTOR,
              ),
            ),
          ),
        );
        return 0;
      }
      break;
    case 'addresses':
      if (sub === 'list') {
        const rows = await withRuntime(({ deps }) =>
          listDepositAddresses(deps, { merchantId: o.merchant, balances: o.balances }),
        );
        if (o.json) out(rows);
        else
          for (const r of rows) {
            const bal = r.balances
              ?.map((b) => ('error' in b ? `${b.network}: ${b.error}` : `${b.balance} ${b.currency} on ${b.network}`))
              .join(', ');
            const owner = r.purpose === 'user' ? `user ${r.userId}` : `order ${r.orderId}`;
            console.log(
              `${r.family.padEnd(7)} ${r.derivationPath.padEnd(22)} ${r.address}  merchant ${r.merchantId} ${owner}` +
                (bal ? `  [${bal}]` : ''),
            );
          }
        return 0;
      }
      break;
    case 'rate':
      if ((await rateCommand(pos.slice(1), o.json ?? false, withRuntime)) === 0) return 0;
      break;
    case 'operator':
    case 'payout':
    case 'hot-wallet':
      return payoutCommand(withRuntime, cmd, sub, arg, o);
    case 'card':
      if ((await cardCommand(withRuntime, sub, arg, o)) === 0) return 0;
      break;
    case 'audit':
      if (sub === 'list') {
        const page = await withRuntime(({ deps }) =>
          searchAuditLog(deps, {
            actor: o.actor,
            merchantId: o.merchant,
            action: o.action,
            from: o.from,
            to: o.to,
            after: o.after,
          }),
        );
        if (o.json) out(page);
        else {
          for (const e of page.entries)
            console.log(
              `${e.id.padStart(6)} ${e.at} ${e.actor.padEnd(12)} ${e.action.padEnd(24)} ` +
                `${e.merchantId ?? '-'} ${e.target ?? ''} ${JSON.stringify(e.before)} -> ${JSON.stringify(e.after)}`,
            );
          if (page.next) console.log(`more: --after ${page.next}`);
        }
        return 0;
      }
      break;
    case 'webhook':
      if (sub === 'resend' && arg) {
        const id = await withRuntime(({ deps }) => resendOrderWebhook(deps, arg, CLI_ACTOR));
        console.log(`queued webhook delivery ${id} for order ${arg}`);
        return 0;
      }
      break;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e) => {
    console.error(isTenderError(e) ? `error: ${e.code}: ${e.message}` : `error: ${(e as Error).message}`);
    process.exit(1);
  },
);
