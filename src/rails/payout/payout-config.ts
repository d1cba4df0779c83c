// Payout settings from the environment (docs/payouts.md "Configuration"). Amounts stay text here: the core
// parses them at each currency's ledger exponent from the assets table.

export interface PayoutConfig {
  /** TENDER_PAYOUT_FEES: default fee per "ASSET:NETWORK" (network key, e.g. USDT:TRON) as fixed text and bps. */
  defaultFees: Record<string, { fixed: string; bps: number }>;
  /** TENDER_PAYOUT_APPROVAL_THRESHOLDS: default per currency; a payout above it needs two operators. */
  defaultThresholds: Record<string, string>;
  /** TENDER_SANDBOX_PAYOUT_DELAY_MS: the sandbox payout rail confirms a broadcast payout after this delay. */
  sandboxDelayMs: number;
  /** TENDER_SANDBOX_HOT_WALLET=chain: the sandbox hot wallet holds only what is granted on the pretend chain. */
  sandboxUnlimited: boolean;
  /** TENDER_PAYOUT_POLL_MS: how often each network's sender loop looks for work. */
  pollMs: number;
  /** TENDER_PAYOUT_RAIL_TIMEOUT_MS: longest wait for one rail call (sign, broadcast, verdict, balance). */
  railTimeoutMs: number;
}

function intOf(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (!/^[0-9]+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return Number(v);
}

const AMOUNT = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** "USDT:TRON=1+0,BTC:BITCOIN=0.0001+25": fixed amount in major units, plus basis points of the total. */
export function parsePayoutFees(text: string | undefined): PayoutConfig['defaultFees'] {
  const out: PayoutConfig['defaultFees'] = {};
  for (const item of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Z0-9]+):([A-Z]+)=([0-9.]+)(?:\+([0-9]+))?$/.exec(item);
    if (!m || !AMOUNT.test(m[3]!) || Number(m[4] ?? 0) > 10000)
      throw new Error(`TENDER_PAYOUT_FEES: cannot read "${item}" (want ASSET:NETWORK=fixed+bps)`);
    out[`${m[1]}:${m[2]}`] = { fixed: m[3]!, bps: Number(m[4] ?? 0) };
  }
  return out;
}

/** "USDT=1000,BTC=0.05". */
export function parseThresholds(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Z0-9]+)=([0-9.]+)$/.exec(item);
    if (!m || !AMOUNT.test(m[2]!))
      throw new Error(`TENDER_PAYOUT_APPROVAL_THRESHOLDS: cannot read "${item}" (want CURRENCY=amount)`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function loadPayoutConfig(env: NodeJS.ProcessEnv): PayoutConfig {
  const hot = env.TENDER_SANDBOX_HOT_WALLET ?? 'unlimited';
  if (hot !== 'unlimited' && hot !== 'chain')
    throw new Error(`TENDER_SANDBOX_HOT_WALLET must be unlimited or chain, got ${hot}`);
  return {
    defaultFees: parsePayoutFees(env.TENDER_PAYOUT_FEES),
    defaultThresholds: parseThresholds(env.TENDER_PAYOUT_APPROVAL_THRESHOLDS),
    sandboxDelayMs: intOf(env, 'TENDER_SANDBOX_PAYOUT_DELAY_MS', 5000),
    sandboxUnlimited: hot === 'unlimited',
    pollMs: intOf(env, 'TENDER_PAYOUT_POLL_MS', 1000),
    railTimeoutMs: intOf(env, 'TENDER_PAYOUT_RAIL_TIMEOUT_MS', 30_000),
  };
}
