// Launches the system's headless Chromium (Debian package `chromium`) through playwright-core, for tests
// of the hosted pages in a real browser. Never downloads a browser: when none is installed the helper says
// how to get one (`apt-get install -y chromium`), and `browserSkipReason()` lets a test file skip.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.TENDER_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set TENDER_TEST_CHROMIUM)`;
}

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (own cookies and storage); closed by close() if the test does not close it. */
  context(opts?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * One headless Chromium. launch() (not launchPersistentContext) gives it a fresh temporary profile
 * (--user-data-dir) that Playwright deletes on close; every context() is a clean incognito-like session.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const reason = browserSkipReason();
  if (reason) throw new Error(reason);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  const contexts = new Set<BrowserContext>();
  return {
    browser,
    async context(opts = {}) {
      const ctx = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', ...opts });
      ctx.setDefaultTimeout(15_000);
      ctx.setDefaultNavigationTimeout(15_000);
      contexts.add(ctx);
      ctx.on('close', () => contexts.delete(ctx));
      return ctx;
    },
    async close() {
      for (const ctx of [...contexts]) await ctx.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}
