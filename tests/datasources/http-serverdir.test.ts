import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic } from '../support/auth.js';
import { resolvePluginExport } from '@vocloud/sdk';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import plugin from '@vocloud/plugin-datasources';
import { ImportClient, manifestRows } from './support/client.js';
import { REAL } from './support/vo-peer.js';

/*
 * Through a real vocloud server: a recursive HTTP import from index pages (the shape Apache's
 * autoindex writes) into a user's folder with per-item progress and a quota (refused before
 * the download when the size is announced, after it when not), the target folder checked at
 * job creation, and the server-folder import that only admins may run, inside the configured roots.
 */

const CALSPEC = readFileSync(resolve(REAL, 'calspec-grw70d5824-bintable.fits'));
const CSV = readFileSync(resolve(REAL, 'oac-sn-spectrum.csv'));

let s: TestServer;
let web: Server;
let webUrl = '';
let alice: Record<string, string>;
let mona: Record<string, string>;
let quin: Record<string, string>;
let sid: Record<string, string>;
let roots: { allowed: string; outside: string };

const autoindex = (title: string, entries: string[]) =>
  `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN"><html><head><title>Index of ${title}</title></head><body><h1>Index of ${title}</h1>
<table><tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th></tr>
<tr><td><a href="/data/">Parent Directory</a></td></tr>
${entries.map((e) => `<tr><td><a href="${encodeURI(e)}">${e}</a></td></tr>`).join('\n')}</table></body></html>`;

/** Requests for /slow/ files being answered now, and the most there were at once. */
const slow = { inFlight: 0, most: 0 };
const SLOW_FILES = Array.from({ length: 12 }, (_, i) => `f${i}.dat`);

beforeAll(async () => {
  web = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    if (path === '/slow/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(autoindex(path, SLOW_FILES));
    if (path === '/slower/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(autoindex(path, ['g0.dat', 'g1.dat', 'g2.dat']));
    if (path.startsWith('/slower/g')) {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1024 }).end(Buffer.alloc(1024, 1)), 600);
      return;
    }
    if (path.startsWith('/slow/f')) {
      slow.inFlight++;
      slow.most = Math.max(slow.most, slow.inFlight);
      // each answer takes 80 ms, so the downloads overlap as much as the importer lets them
      setTimeout(() => {
        slow.inFlight--;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 2048 }).end(Buffer.alloc(2048, path.length));
      }, 80);
      return;
    }
    const pages: Record<string, string[]> = { '/data/': ['night1/', 'night2/', 'README.txt'], '/data/night1/': ['a.fits', 'sn.csv'], '/data/night2/': ['a.fits'] };
    if (pages[path]) return void res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8' }).end(autoindex(path, pages[path]!));
    if (path.endsWith('.fits')) return void res.writeHead(200, { 'content-type': 'application/fits', 'content-length': CALSPEC.length }).end(CALSPEC);
    // no Content-Length: the size is known only once the body has come (chunked)
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
  quin = basic(...(Object.values(await addUser(s, 'quin', 'user', { storageQuota: 150_000 })) as [string, string]));
  // room for the CSV but not for its provenance file as well
  sid = basic(...(Object.values(await addUser(s, 'sid', 'user', { storageQuota: CSV.length + 100 })) as [string, string]));
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

describe('downloads at the same time', () => {
  it('never more downloads at once than the concurrency asked for, though twice as many files may be in progress', async () => {
    slow.most = 0;
    const r = await runJob(mona, 'http', { url: `${webUrl}/slow/`, recursive: 'true', concurrency: 3, target: '~/slow' });
    expect(r.job!.phase).toBe('COMPLETED');
    expect((await tree(mona, '~/slow')).filter((f) => !f.endsWith('.provenance.json'))).toHaveLength(12);
    expect(slow.most).toBe(3);
    expect(slow.inFlight).toBe(0);
  });

  it("the wait for a download slot is not part of an attempt's time limit", async () => {
    // one at a time, 1 s per attempt, each answer in 0.6 s: a file that had to count its wait
    // behind the one before would run out of time
    const def = resolvePluginExport(plugin, { allowPrivateNetworks: true, retries: 0, timeouts: { connect: 5, response: 5, idle: 5, item: 1 } }, 'test').find((t) => t.name === 'http')!;
    const storageRoot = mkdtempSync(join(tmpdir(), 'ds-slots-'));
    const r = await runWorkerForTest(def, { url: `${webUrl}/slower/`, recursive: true, concurrency: 1, target: '~/slower' }, { ownerId: 'o', storageRoot });
    expect(r.phase).toBe('COMPLETED');
    const rows = manifestRows(readFileSync(r.results.find((x) => x.name === 'manifest.csv')!.path, 'utf8'));
    expect(rows.map((row) => row.state)).toEqual(['done', 'done', 'done']);
  });
});

describe('the storage quota', () => {
  it('a file whose Content-Length cannot fit is refused before it is downloaded; one of unknown size by the write', async () => {
    const first = await runJob(quin, 'http', { url: `${webUrl}/data/night1/a.fits`, target: '~/q1' });
    expect(first.job!.phase).toBe('COMPLETED');
    const r = await new ImportClient(s.url, quin).run('http', { url: `${webUrl}/data/night1/`, recursive: 'true', target: '~/q2', concurrency: 1 });
    expect(r.job.phase).toBe('ERROR');
    const row = (name: string) => r.rows.find((x) => x.url.endsWith(name))!;
    expect(row('/a.fits')).toMatchObject({ state: 'failed', file: '', size: String(CALSPEC.length) });
    expect(row('/a.fits').error).toMatch(/^not downloaded: 121 kB with its provenance file does not fit in the storage quota of quin \(150 kB; 12\d kB used, 2\d kB free\)$/);
    // the CSV is sent without a Content-Length: fetched, then refused by core when stored
    expect(row('/sn.csv')).toMatchObject({ state: 'failed', file: '' });
    expect(row('/sn.csv').error).toMatch(/the storage quota of quin \(150\.0 kB\) would be exceeded/);
    expect(await tree(quin, '~/q2')).toEqual([]);
  });

  it('a file whose provenance file cannot be stored is taken back: no file without its sidecar', async () => {
    const r = await new ImportClient(s.url, sid).run('http', { url: `${webUrl}/data/night1/sn.csv`, target: '~/s' });
    expect(r.job.phase).toBe('ERROR');
    expect(r.rows).toMatchObject([{ state: 'failed', file: '' }]);
    expect(r.rows[0]!.error).toMatch(/^its provenance file could not be written \(the storage quota of sid .* would be exceeded.*\); the file was removed$/);
    expect(await tree(sid, '~/s')).toEqual([]);
  });
});

describe('the target folder is checked when the job is created', () => {
  it('a folder the user may not write, a path that is not one, and a file are refused with 400; no job is made', async () => {
    const c = new ImportClient(s.url, alice);
    const url = `${webUrl}/data/night1/a.fits`;
    const data = await c.run('http', { url, target: 'DATA/spectra' });
    expect(data.status).toBe(400);
    expect(data.text).toMatch(/parameter 'target': DATA\/ is shared and read-only for you/);
    const bad = await c.run('http', { url, target: '/etc/spectra' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/target/);
    const file = await new ImportClient(s.url, quin).run('http', { url, target: '~/q1/a.fits' });
    expect(file.status).toBe(400);
    expect(file.text).toMatch(/parameter 'target': ~\/q1\/a\.fits is a file; a folder is needed/);
    const list = await (await fetch(`${s.url}/uws/http`, { headers: alice })).text();
    expect(list.match(/<uws:jobref /g) ?? []).toHaveLength(1); // the import of the first test only
  });
});

describe('server folders (admins only)', () => {
  it('a user may not create the job; a manager may, but it ends in ERROR, and the preview refuses', async () => {
    const r = await runJob(alice, 'serverdir', { path: roots.allowed, target: '~/x' });
    expect(r.status).toBe(403);
    const m = await runJob(mona, 'serverdir', { path: roots.allowed, target: '~/x' });
    expect(m.job!.phase).toBe('ERROR');
    expect(m.job!.errorSummary?.message).toMatch(/^serverdir: only administrators may import from server folders \(you are a manager\)/);
    expect(await tree(mona, '~/x')).toEqual([]);
    const p = await new ImportClient(s.url, mona).preview('serverdir', { path: roots.allowed });
    expect(p.status).toBe(400);
    expect(p.text).toMatch(/only administrators may import from server folders/);
  });

  it('an admin imports inside the roots; links out of them and loops are skipped', async () => {
    const r = await runJob(adminHeaders(), 'serverdir', { path: join(roots.allowed, 'run1'), recursive: 'true', target: '~/archive' });
    expect(r.job!.phase).toBe('COMPLETED');
    const files = (await tree(adminHeaders(), '~/archive')).filter((f) => !f.endsWith('.provenance.json'));
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
