// Shared by the issue-12 portal page tests of the reference and webhook settings: a session the test sets
// (the server's portal auth is H3's), an axe-core scan, a phone-width overflow check and screenshot paths.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { MerchantSession } from '../src/web/portal/docs-session.js';
import { projectPath } from '../src/paths.js';

/** Who the test says is logged in; `sessionOf` goes to startTestEnv's portalSessionOf. */
export function testSessions() {
  let current: MerchantSession | undefined;
  return {
    sessionOf: () => current,
    set(s: MerchantSession | undefined) {
      current = s;
    },
  };
}

export const screenshotPath = (name: string) => projectPath(`docs/screenshots/${name}`);

/** Runs axe-core on the page (the context must bypass CSP to inject it) and fails on serious or critical. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  await page.addScriptTag({ path: projectPath('node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o?: unknown): Promise<any> } }).axe;
    // Only violations are collected: listing every passing node of a long reference page takes minutes.
    const r = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return (r.violations as Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>).map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${label}: axe-core found ${JSON.stringify(bad)}`);
}

/** On a phone-sized viewport nothing but wide tables (in their own scroll box) may overflow the page. */
export async function assertFitsWidth(page: Page, label: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width + 1, `${label}: the page is ${scroll}px wide on a ${width}px screen`);
}
