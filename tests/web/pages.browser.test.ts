// Accounts, settings, administration and the quality bar, in a real browser: registration (open
// mode), sign-in errors, password reset, API tokens shown once, the admin page changing a quota
// through GraphQL; every page at phone width without sideways scrolling, keyboard reachable with
// a visible focus, and no console errors.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, startServer, TEST_PLUGIN, type TestServer } from '../support/server.js';
import { addUser, adminHeaders } from '../support/auth.js';
import { needPeer, peers } from '../support/peers.js';
import { launch, PHONE, screenshotFailures, signIn, suitePage, type WatchedPage } from './support/browser.js';

describe.skipIf(!needPeer(peers.chromium(), 'web UI pages in Chromium'))('accounts, settings, admin and quality', () => {
  let s: TestServer;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  let w: WatchedPage;

  beforeAll(async () => {
    s = await startServer({ plugins: [{ package: TEST_PLUGIN }], overrides: { auth: { registration: 'open' } } });
    await addUser(s, 'alice', 'user', { storageQuota: 1_000_000_000 });
    browser = await launch();
    w = await suitePage(browser);
    pages.push(w);
  });
  screenshotFailures('pages', () => pages);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('says why a sign-in failed, registers a new account in open mode, and signs it in', async () => {
    const page = w.page;
    await page.goto(`${s.url}/signin`);
    await page.getByLabel('User name or e-mail').fill('alice');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/password/i);
    await page.getByRole('link', { name: 'Create an account' }).click();
    // the form of the next page, not the sign-in page's "User name or e-mail" still shown
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('User name', { exact: true }).fill('bob');
    await page.getByLabel('E-mail').fill('bob@example.org');
    await page.getByLabel('Password', { exact: true }).fill('bob-password-123');
    await page.getByLabel('Password again').fill('bob-password-124');
    await page.getByRole('button', { name: 'Create the account' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('the two passwords differ');
    await page.getByLabel('Password again').fill('bob-password-123');
    await w.shot('register');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.waitForURL(/\/jobs$/);
    await page.getByRole('link', { name: 'bob' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
  });

  it('asks for a reset link with the same answer whatever the account, and explains a link without a token', async () => {
    const page = w.page;
    await page.goto(`${s.url}/reset`);
    await page.getByLabel('User name or e-mail').fill('nobody-here');
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await page.getByRole('status').filter({ hasText: /if the account exists/i }).waitFor();
    await w.shot('reset');
    await page.goto(`${s.url}/reset-password`);
    expect(await page.getByRole('alert').textContent()).toContain('needs the link from the reset e-mail');
  });

  it('creates an API token shown once that works as a Bearer token, and revokes it', async () => {
    const page = w.page;
    await signIn(page, s.url, 'alice', 'pw-alice-0123456789');
    await page.getByRole('link', { name: 'alice' }).click();
    await page.waitForURL(/\/settings$/);
    await page.getByLabel('Name').fill('laptop');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent())!.trim();
    expect(token.length).toBeGreaterThan(20);
    const me = await fetch(`${s.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe('alice');
    await w.shot('settings-token');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-token').count()).toBe(0);
    await page
      .getByRole('row', { name: /laptop/ })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('No API tokens yet.').waitFor();
    expect((await fetch(`${s.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('is usable by keyboard: a skip link, every control reachable, focus visible, dialogs closed with Escape', async () => {
    const page = w.page;
    await page.goto(`${s.url}/jobs`);
    await page.getByText('You have no jobs yet.').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        if (e === document.body) return null; // past the last control
        const st = getComputedStyle(e);
        const text = (e.getAttribute('aria-label') ?? e.textContent ?? '').trim() || `<${e.tagName.toLowerCase()} ${e.getAttribute('type') ?? ''}>`;
        return { text, outline: st.outlineStyle !== 'none' && st.outlineWidth !== '0px' };
      });
      if (!f) break;
      expect(f.outline, `focus on "${f.text}" is visible`).toBe(true);
      seen.push(f.text);
    }
    expect(seen).toEqual(expect.arrayContaining(['Jobs', 'Files', 'Plot', 'New job', 'Sign out']));
    // the files page: a dialog opens from the keyboard, Escape closes it and focus comes back
    await page.goto(`${s.url}/files`);
    await page.getByRole('button', { name: 'New folder' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.type('by-keyboard');
    await page.keyboard.press('Enter');
    await page.locator('tr[data-path="~/by-keyboard"]').waitFor();
    await page.getByRole('button', { name: 'New folder' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('New folder');
  });

  it('fits a phone screen: a menu button, no sideways scrolling on any page', async () => {
    const phone = await suitePage(browser, { viewport: PHONE });
    pages.push(phone);
    await signIn(phone.page, s.url, 'alice', 'pw-alice-0123456789');
    for (const [path, name] of [
      ['/jobs', 'jobs'],
      ['/new', 'new-job'],
      ['/new/wait', 'job-form'],
      ['/files', 'files'],
      ['/import', 'import'],
      ['/plot', 'plot-empty'],
      ['/samp', 'samp'],
      ['/settings', 'settings'],
    ] as const) {
      await phone.page.goto(`${s.url}${path}`);
      await phone.page.locator('main h1').waitFor();
      await phone.page.waitForTimeout(300);
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(1);
      await phone.shot(`phone-${name}`);
    }
    const menu = phone.page.getByRole('button', { name: 'Menu' });
    expect(await phone.page.getByRole('link', { name: 'Files', exact: true }).isVisible()).toBe(false);
    await menu.click();
    await phone.page.getByRole('link', { name: 'Files', exact: true }).click();
    await phone.page.waitForURL(/\/files$/);
    expect(phone.errors).toEqual([]);
  });

  it('lets an administrator change a quota on the admin page (through GraphQL)', async () => {
    const page = w.page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, s.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    const row = page.locator('tr[data-user=alice]');
    await row.waitFor();
    expect(await row.locator('.quota-cell').getAttribute('data-quota')).toBe('1000000000');
    await w.shot('admin-users');
    await row.getByRole('button', { name: 'Edit alice' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Storage quota').fill('3');
    await dialog.getByRole('combobox', { name: 'Quota unit' }).selectOption('GB');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.locator('.quota-cell').getAttribute('data-quota')).toBe(String(3 * 1024 ** 3));
    const r = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { ...adminHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ user(username: "alice") { storageQuota } auditLog(filter: { action: "user.update" }) { nodes { targetId } } }' }),
    });
    const body = (await r.json()) as { data: { user: { storageQuota: number }; auditLog: { nodes: { targetId: string }[] } } };
    expect(body.data.user.storageQuota).toBe(3 * 1024 ** 3);
    expect(body.data.auditLog.nodes.map((n) => n.targetId)).toContain('alice');
    // the other tabs load
    for (const tab of ['Job types', 'All jobs', 'Nodes', 'Storage', 'Audit log']) {
      await page.getByRole('link', { name: tab }).click();
      await page.locator('table, .empty').first().waitFor();
      await w.shot(`admin-${tab.toLowerCase().replace(/ /g, '-')}`);
    }
  });

  it('pages through a folder of 1,050 files: first, previous, next, last, counts with separators', async () => {
    const page = w.page; // the administrator, signed in above
    const dir = join(s.dataDir, 'storage', 'home', 'admin', 'many');
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < 1050; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => writeFile(join(dir, `s${String(i + k).padStart(4, '0')}.fits`), '')));
    }
    await page.goto(`${s.url}/files?path=${encodeURIComponent('~/many')}`);
    const pager = page.getByRole('navigation', { name: 'Pages of this folder' });
    const shows = async (range: string, first: string) => {
      await pager.getByText(range).waitFor();
      await page.locator('table').getByText(first, { exact: true }).waitFor();
    };
    await shows('1–50 of 1,050', 's0000.fits');
    expect(await pager.getByRole('button', { name: 'First' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Last' }).click();
    await shows('1,001–1,050 of 1,050', 's1000.fits');
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    expect(await pager.getByRole('button', { name: 'Last' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await shows('951–1,000 of 1,050', 's0950.fits');
    await w.shot('files-pager');
    await pager.getByRole('button', { name: 'First' }).click();
    await shows('1–50 of 1,050', 's0000.fits');
  });

  it('had no console errors on any page', () => {
    // the failed sign-in above answers 401, which the browser reports as a failed resource
    expect(w.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });
});
