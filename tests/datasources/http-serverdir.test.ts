import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic } from '../support/auth.js';
import { ImportClient } from './support/client.js';
import { REAL } from './support/vo-peer.js';

/*
 * Through a real vocloud server: a recursive HTTP import from index pages (the shape Apache's
 * autoindex writes) into a user's folder with per-item progress and a quota, and the
 * server-folder import that only managers and admins may run, inside the configured roots.
 */

const CALSPEC = readFileSync(resolve(REAL, 'calspec-grw70d5824-bintable.fits'));
const CSV = readFileSync(resolve(REAL, 'oac-sn-spectrum.csv'));

let s: TestServer;
let web: Server;
let webUrl = '';
let alice: Record<string, string>;
let mona: Record<string, string>;
let roots: { allowed: string; outside: string };

const autoindex = (title: string, entries: string[]) =>
  `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN"><html><head><title>Index of ${title}</title></head><body><h1>Index of ${title}</h1>
<table><tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th></tr>
<tr><td><a href="/data/">Parent Directory</a></td></tr>
${entries.map((e) => `<tr><td><a href="${encodeURI(e)}">${e}</a></td></tr>`).join('\n')}</table></body></html>`;

beforeAll(async () => {
  web = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    const pages: Record<string, string[]> = { '/data/': ['night1/', 'night2/', 'README.txt'], '/data/night1/': ['a.fits', 'sn.csv'], '/data/night2/': ['a.fits'] };
    if (pages[path]) return void res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8' }).end(autoindex(path, pages[path]!));
    if (path.endsWith('.fits')) return void res.writeHead(200, { 'content-type': 'application/fits', 'content-length': CALSPEC.length }).end(CALSPEC);
    if (path.endsWith('.csv')) return void res.writeHead(200, { 'content-type': 'text/csv' }).end(CSV);
    if (path.endsWith('.txt')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('readme');
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;

  const top = mkdtempSync(join(tmpdir(), 'ds-serverdir-'));
  roots = { allowed: join(top, 'archive'), outside: join(top, 'secret') };
  mkdirSync(join(roots.allowed, 'run1', 'deep'), { recursive: true });
  mkdirSync(roots.outside);
  writeFileSync(join(roots.allowed, 'run1', 'a.fits'), CALSPEC);
  writeFileSync(join(roots.allowed, 'run1', 'deep', 'b.csv'), CSV);
  writeFileSync(join(roots.outside, 'keys.txt'), 'secret');
  symlinkSync(roots.outside, join(roots.allowed, 'run1', 'escape'));
  symlinkSync('..', join(roots.allowed, 'run1', 'deep', 'up'));

  s = await startServer({
    plugins: [{ package: '@vocloud/plugin-datasources', options: { allowPrivateNetworks: true, serverRoots: [roots.allowed], retries: 1, retryDelay: 0.05 } }],
    overrides: { auth: { anonymous: false } },
  });
  alice = basic(...(Object.values(await addUser(s, 'alice', 'user', { storageQuota: 200_000 })) as [string, string]));
  mona = basic(...(Object.values(await addUser(s, 'mona', 'manager')) as [string, string]));
});
afterAll(async () => {
  await s?.stop();
  await new Promise((r) => web?.close(r));
});

async function runJob(h: Record<string, string>, type: string, form: Record<string, string | number | (string | number)[]>) {
  const r = await new ImportClient(s.url, h).run(type, form);
  return { status: r.status, job: r.job, manifest: r.text };
}
const tree = (h: Record<string, string>, path: string) => new ImportClient(s.url, h).tree(path);

describe('HTTP index pages through the server', () => {
  it('imports the tree below the start page; the second copy of a name goes to its own folder; the quota stops what does not fit', async () => {
    const r = await runJob(alice, 'http', { url: `${webUrl}/data/`, recursive: 'true', exclude: 'README.txt', target: '~/web' });
    expect(r.job!.phase).toBe('COMPLETED');
    const files = (await tree(alice, '~/web')).filter((f) => !f.endsWith('.provenance.json'));
    // 200 kB quota: one 121 kB FITS fits, the second does not; the CSV does
    expect(files).toContain('~/web/night1/sn.csv');
    expect(files.filter((f) => f.endsWith('a.fits'))).toHaveLength(1);
    expect(r.manifest).toMatch(/,failed,[^\r\n]*quota/i);
    expect(r.job!.phase).toBe('COMPLETED');
  });
});

describe('server folders (managers and admins)', () => {
  it('a user may not run it', async () => {
    const r = await runJob(alice, 'serverdir', { path: roots.allowed, target: '~/x' });
    expect(r.status).toBe(403);
  });

  it('a manager imports inside the roots; links out of them and loops are skipped', async () => {
    const r = await runJob(mona, 'serverdir', { path: join(roots.allowed, 'run1'), recursive: 'true', target: '~/archive' });
    expect(r.job!.phase).toBe('COMPLETED');
    const files = (await tree(mona, '~/archive')).filter((f) => !f.endsWith('.provenance.json'));
    expect(files).toEqual(['~/archive/a.fits', '~/archive/deep/b.csv']);
    expect(r.manifest).toMatch(/escape,,,skipped,a symbolic link that leads outside/);
    expect(r.manifest).toMatch(/up,,,skipped,folder loop/);
  });

  it('a path outside the roots (or through a link out of them) is refused', async () => {
    const out = await runJob(adminHeaders(), 'serverdir', { path: roots.outside, target: '~/x' });
    expect(out.job!.phase).toBe('ERROR');
    expect(out.job!.errorSummary?.message).toMatch(/outside the folders allowed for import/);
    const link = await runJob(adminHeaders(), 'serverdir', { path: join(roots.allowed, 'run1', 'escape'), target: '~/x' });
    expect(link.job!.errorSummary?.message).toMatch(/outside the folders allowed for import/);
    const dots = await runJob(adminHeaders(), 'serverdir', { path: `${roots.allowed}/../secret`, target: '~/x' });
    expect(dots.job!.errorSummary?.message).toMatch(/outside the folders allowed for import/);
  });
});
