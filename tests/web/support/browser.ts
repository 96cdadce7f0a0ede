import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from '../../support/server.js';

/** Debian's Chromium, headless, with the flags that work in this environment (ENVIRONMENT.md). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Screenshots of every page under test go here (gitignored). */
export const SHOTS = join(REPO, 'test-output', 'web');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions, for "no console errors". */
  readonly errors: string[];
  /** Every request URL the page made. */
  readonly requests: string[];
  shot(name: string): Promise<void>;
}

/** A page that records console errors, page errors and requests. */
export async function watchedPage(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, acceptDownloads: options.acceptDownloads ?? true });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  mkdirSync(SHOTS, { recursive: true });
  return {
    page,
    context,
    errors,
    requests,
    async shot(name: string) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    },
  };
}

/** Sign in through the sign-in page. */
export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/signin`);
  await page.getByLabel('User name or e-mail').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/jobs$/);
}

/** A browser page for a suite: default action timeout 15 s; optionally signed in. */
export async function suitePage(
  browser: Browser,
  options: { base?: string; user?: { username: string; password: string }; viewport?: { width: number; height: number } } = {},
): Promise<WatchedPage> {
  const w = await watchedPage(browser, options.viewport ? { viewport: options.viewport } : {});
  w.page.setDefaultTimeout(15_000);
  if (options.base && options.user) await signIn(w.page, options.base, options.user.username, options.user.password);
  return w;
}

/** After a failed test, a screenshot of each page, named after the test (test-output/web/FAILED-…). */
export function screenshotFailures(prefix: string, pages: () => (WatchedPage | undefined)[]): void {
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [i, p] of pages().entries()) await p?.shot(`FAILED-${prefix}-${i}-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });
}
