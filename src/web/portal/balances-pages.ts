// The Balances page as a pure render function: balances per currency, a server-rendered SVG chart of money
// paid in per day and the balance at each day's end (with the same figures as a table for screen readers and
// keyboard users), and the journal behind the chosen currency's balances.
import { esc } from '../html.js';
import { formatMinor } from '../../domain/money.js';
import type { CurrencyBalance, DayPoint, JournalLine } from '../../core/portal-payments-balances.js';
import { SERIES_DAYS } from '../../core/portal-payments-balances.js';
import { paymentsPage } from './payments-layout.js';
import { utc } from './payments-pages.js';

const W = 720;
const H = 240;
const PAD = { left: 8, right: 8, top: 16, bottom: 28 };

/** Pixel height of `v` on a scale whose top is `max`: bigint arithmetic, so no money figure becomes a float. */
const scaled = (v: bigint, max: bigint, px: number): number => (max > 0n ? Number((v * BigInt(px)) / max) : 0);

/** Math.max does not take bigint. */
function largest(values: bigint[]): bigint {
  let m = 0n;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** The chart as inline SVG: bars of money paid in, a line of the balance; classes only (the CSS file styles them). */
const BALANCE_HEADER = '<th scope="col">Balance at day end</th>';

export function renderChart(currency: string, exponent: number, points: DayPoint[]): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const maxPaid = largest(points.map((p) => p.paidIn));
  const maxBal = largest(points.map((p) => p.balance));
  const step = plotW / Math.max(points.length, 1);
  const barW = Math.max(1, Math.floor(step * 0.7));
  const bottom = PAD.top + plotH;
  const bars = points
    .map((p, i) => {
      const h = scaled(p.paidIn, maxPaid, plotH);
      const x = Math.round(PAD.left + i * step + (step - barW) / 2);
      return h > 0 ? `<rect class="bar" x="${x}" y="${bottom - h}" width="${barW}" height="${h}"></rect>` : '';
    })
    .join('');
  const line = points
    .map((p, i) => `${Math.round(PAD.left + i * step + step / 2)},${bottom - scaled(p.balance, maxBal, plotH)}`)
    .join(' ');
  const first = points[0]?.day ?? '';
  const last = points[points.length - 1]?.day ?? '';
  const fmt = (v: bigint) => formatMinor(v, exponent);
  return `<figure class="chart">
<svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" focusable="false">
<title id="chart-title">${esc(currency)}: paid in per day and balance, ${esc(first)} to ${esc(last)}</title>
<desc id="chart-desc">Bars: money paid in each day, net of fees (highest ${esc(fmt(maxPaid))} ${esc(currency)}).
Line: available plus frozen balance at the end of each day (highest ${esc(fmt(maxBal))} ${esc(currency)}).
The table below the chart has every figure.</desc>
<line class="axis" x1="${PAD.left}" y1="${bottom}" x2="${W - PAD.right}" y2="${bottom}"></line>
${bars}
<polyline class="balance" points="${line}"></polyline>
<text class="label" x="${PAD.left}" y="${H - 8}">${esc(first)}</text>
<text class="label" x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${esc(last)}</text>
</svg>
<figcaption><span class="key key-bar">Paid in per day (net of fees)</span>
<span class="key key-line">Balance at day end</span></figcaption>
</figure>
<details class="figures"><summary>Figures behind the chart</summary>
<div class="scroll" role="region" aria-label="Daily figures" tabindex="0"><table>
<thead><tr><th scope="col">Day (UTC)</th><th scope="col">Paid in</th>${BALANCE_HEADER}</tr></thead>
<tbody>${points
    .map(
      (p) =>
        `<tr><td>${esc(p.day)}</td><td class="num">${esc(fmt(p.paidIn))}</td>` +
        `<td class="num">${esc(fmt(p.balance))}</td></tr>`,
    )
    .join('')}</tbody></table></div></details>`;
}

export interface BalancesView {
  balances: CurrencyBalance[];
  currency?: string;
  days: number;
  series?: { exponent: number; points: DayPoint[] };
  journal?: { lines: JournalLine[]; next?: string; after?: string };
}

const balanceUrl = (currency: string, days: number, after?: string) =>
  `/balances?${new URLSearchParams({ currency, days: String(days), ...(after ? { after } : {}) })}`;

export function renderBalances(v: BalancesView): string {
  const rows = v.balances.length
    ? `<div class="scroll" role="region" aria-labelledby="bal-caption" tabindex="0"><table>
<caption id="bal-caption">Balances per currency, from the ledger</caption>
<thead><tr><th scope="col">Currency</th><th scope="col">Available</th><th scope="col">Frozen</th>
<th scope="col">Total</th><th scope="col">Journal</th></tr></thead>
<tbody>${v.balances
        .map(
          (b) => `<tr><td>${esc(b.currency)}</td><td class="num">${esc(b.available)}</td>
<td class="num">${esc(b.frozen)}</td><td class="num">${esc(b.total)}</td>
<td><a href="${esc(balanceUrl(b.currency, v.days))}"${b.currency === v.currency ? ' aria-current="true"' : ''}>${esc(
            `${b.currency} journal`,
          )}</a></td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="empty" role="status">No balance yet: nothing has been paid in.</p>';
  if (!v.currency) return paymentsPage({ title: 'Balances', current: '/balances', body: `<h1>Balances</h1>\n${rows}` });
  const c = v.currency;
  const chooser = `<form class="filters" method="get" action="/balances" aria-label="Chart settings">
<div class="field"><label for="b-currency">Currency</label><select id="b-currency" name="currency">${v.balances
    .map((b) => `<option${b.currency === c ? ' selected' : ''}>${esc(b.currency)}</option>`)
    .join('')}</select></div>
<div class="field"><label for="b-days">Period</label><select id="b-days" name="days">${SERIES_DAYS.map(
    (d) => `<option value="${d}"${d === v.days ? ' selected' : ''}>Last ${d} days</option>`,
  ).join('')}</select></div>
<div class="actions"><button type="submit">Show</button></div></form>`;
  const chart = v.series ? renderChart(c, v.series.exponent, v.series.points) : '';
  const j = v.journal;
  const journal = j?.lines.length
    ? `<div class="scroll" role="region" aria-labelledby="journal-caption" tabindex="0"><table>
<caption id="journal-caption">Postings on the ${esc(c)} balances, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Entry</th><th scope="col">What</th><th scope="col">Order</th>
<th scope="col">Balance</th><th scope="col">Amount</th></tr></thead>
<tbody>${j.lines
        .map(
          (l) => `<tr><td>${esc(utc(l.at))}</td><td>${esc(l.entryId)} ${esc(l.kind)}</td><td>${esc(l.memo)}</td>
<td>${l.orderId ? `<a href="/payments/${encodeURIComponent(l.orderId)}">${esc(l.orderId)}</a>` : '—'}</td>
<td>${esc(l.account)}</td><td class="num">${esc(l.amount)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="empty">No posting on these balances.</p>';
  const pager = [
    j?.after ? `<a href="${esc(balanceUrl(c, v.days))}">Newest</a>` : '',
    j?.next ? `<a rel="next" href="${esc(balanceUrl(c, v.days, j.next))}">Older</a>` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return paymentsPage({
    title: 'Balances',
    current: '/balances',
    body: `<h1>Balances</h1>
${rows}
<h2>${esc(c)} over time</h2>
${chooser}
${chart}
<h2>${esc(c)} journal</h2>
${journal}
${pager ? `<nav class="pager" aria-label="Journal pages">${pager}</nav>` : ''}`,
  });
}
