import { readFile, symlink, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { UsageService } from '@vocloud/core';
import { REPO, startServer, type TestServer } from '../support/server.js';
import { addUser, adminHeaders, basic } from '../support/auth.js';
import { formBody, waitFinal } from '../support/uws.js';

/*
 * The file manager API: areas and rights, folder operations, uploads (folders, name clashes,
 * quota), downloads with ranges, zips, mass download, signed URLs, previews, and job
 * parameters that name storage paths. Hostile paths: one test per case.
 */

const REAL = resolve(REPO, '..', 'shared', 'data', 'real');
let s: TestServer;
let base: string;
let alice: Record<string, string>;
let bob: Record<string, string>;
let manager: Record<string, string>;

beforeAll(async () => {
  s = await startServer({ overrides: { auth: { anonymous: false } } });
  base = s.url;
  const a = await addUser(s, 'alice', 'user', { storageQuota: 5_000_000 });
  const b = await addUser(s, 'bob');
  const m = await addUser(s, 'mona', 'manager');
  alice = basic(a.username, a.password);
  bob = basic(b.username, b.password);
  manager = basic(m.username, m.password);
});
afterAll(async () => s?.stop());

const q = (o: Record<string, string | number | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  return p.toString();
};
const getJson = async (path: string, h: Record<string, string>) => {
  const r = await fetch(`${base}${path}`, { headers: h });
  return { status: r.status, body: (await r.json()) as any };
};
const postJson = async (path: string, h: Record<string, string>, body: unknown) => {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, text, body: text.startsWith('{') ? (JSON.parse(text) as any) : null };
};
async function upload(h: Record<string, string>, dir: string, files: [string, string | Uint8Array][]) {
  const form = new FormData();
  for (const [name, content] of files) form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  const r = await fetch(`${base}/api/files/upload?${q({ dir })}`, { method: 'POST', headers: h, body: form });
  const text = await r.text();
  return { status: r.status, text, body: text.startsWith('{') ? (JSON.parse(text) as any) : null };
}

describe('areas and rights', () => {
  it('each user has a home of their own', async () => {
    expect((await upload(alice, '~', [['mine.txt', 'alice data']])).status).toBe(201);
    const a = await getJson(`/api/files?${q({ path: '~' })}`, alice);
    expect(a.body.entries.map((e: any) => e.path)).toEqual(['~/mine.txt']);
    const b = await getJson(`/api/files?${q({ path: '~' })}`, bob);
    expect(b.body.entries).toEqual([]);
    expect((await fetch(`${base}/api/files/download?${q({ path: '~/mine.txt' })}`, { headers: bob })).status).toBe(404);
  });

  it('DATA is readable by all and writable by managers and admins only', async () => {
    expect((await upload(manager, 'DATA/lamost', [['a.txt', 'shared']])).status).toBe(201);
    const refused = await upload(alice, 'DATA/lamost', [['b.txt', 'nope']]);
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/read-only for you/);
    const read = await fetch(`${base}/api/files/download?${q({ path: 'DATA/lamost/a.txt' })}`, { headers: bob });
    expect(await read.text()).toBe('shared');
    expect((await postJson('/api/files/delete', alice, { paths: ['DATA/lamost/a.txt'] })).status).toBe(403);
    expect((await postJson('/api/files/delete', adminHeaders(), { paths: ['DATA/lamost'] })).status).toBe(200);
  });

  it("JOBS/{id} shows a job's files to its owner only, read-only", async () => {
    const f = new FormData();
    f.append('input', new Blob(['job input']), 'in.txt');
    f.append('PHASE', 'RUN');
    const res = await fetch(`${base}/uws/files`, { method: 'POST', headers: alice, body: f, redirect: 'manual' });
    const url = res.headers.get('location')!;
    const id = url.split('/').pop()!;
    await waitFinal(url, 30_000, alice);
    const list = await getJson(`/api/files?${q({ path: `JOBS/${id}/results` })}`, alice);
    expect(list.body.entries.map((e: any) => e.name)).toEqual(['nested', 'stream.txt', 'summary.json']);
    expect((await getJson(`/api/files?${q({ path: `JOBS/${id}` })}`, bob)).status).toBe(404);
    expect((await postJson('/api/files/delete', alice, { paths: [`JOBS/${id}/results/stream.txt`] })).status).toBe(403);
    // copy a result home, then the job's results can go and the copy stays
    expect((await postJson('/api/files/copy', alice, { from: `JOBS/${id}/results/stream.txt`, to: '~/kept.txt' })).status).toBe(201);
    expect(await (await fetch(`${base}/api/files/download?${q({ path: '~/kept.txt' })}`, { headers: alice })).text()).toBe('abc');
  });
});

describe('folders', () => {
  it('mkdir, move, copy, delete, stat; list pages and sorts', async () => {
    expect((await postJson('/api/files/mkdir', bob, { path: '~/spectra/2026' })).status).toBe(201);
    await upload(bob, '~/spectra', [['b.fits', 'bb'], ['a.fits', 'aaaa'], ['c.fits', 'c']]);
    const byName = await getJson(`/api/files?${q({ path: '~/spectra', sort: 'name' })}`, bob);
    expect(byName.body.entries.map((e: any) => e.name)).toEqual(['2026', 'a.fits', 'b.fits', 'c.fits']);
    const bySize = await getJson(`/api/files?${q({ path: '~/spectra', sort: 'size', order: 'desc' })}`, bob);
    expect(bySize.body.entries.map((e: any) => e.name)).toEqual(['a.fits', 'b.fits', 'c.fits', '2026']);
    const page = await getJson(`/api/files?${q({ path: '~/spectra', offset: 1, limit: 2 })}`, bob);
    expect(page.body).toMatchObject({ total: 4, offset: 1 });
    expect(page.body.entries.map((e: any) => e.name)).toEqual(['a.fits', 'b.fits']);
    for (const [offset, error] of [['2147483648', 'querystring/offset must be <= 2147483647'], ['1e400', 'querystring/offset must be a finite number']]) {
      const far = await getJson(`/api/files?${q({ path: '~/spectra', offset: offset! })}`, bob);
      expect([offset, far.status, far.body.error]).toEqual([offset, 400, error]);
    }
    // ajv reads 1e400 as Infinity and then skips `maximum`: the page limit must still hold.
    const endless = await getJson(`/api/files?${q({ path: '~/spectra', limit: '1e400' })}`, bob);
    expect([endless.status, endless.body.error]).toEqual([400, 'querystring/limit must be a finite number']);
    expect((await postJson('/api/files/move', bob, { from: '~/spectra/a.fits', to: '~/spectra/2026/a.fits' })).status).toBe(200);
    expect((await postJson('/api/files/copy', bob, { from: '~/spectra', to: '~/spectra-copy' })).status).toBe(201);
    const st = await getJson(`/api/files/stat?${q({ path: '~/spectra-copy/2026/a.fits' })}`, bob);
    expect(st.body).toMatchObject({ type: 'file', size: 4, name: 'a.fits', path: '~/spectra-copy/2026/a.fits' });
    expect((await postJson('/api/files/move', bob, { from: '~/spectra', to: '~/spectra/inside' })).status).toBe(400);
    expect((await postJson('/api/files/move', bob, { from: '~/spectra/b.fits', to: '~/spectra/c.fits' })).status).toBe(409);
    expect((await postJson('/api/files/delete', bob, { paths: ['~/spectra-copy'] })).status).toBe(200);
    expect((await getJson(`/api/files/stat?${q({ path: '~/spectra-copy' })}`, bob)).status).toBe(404);
  });
});

describe('provenance sidecars stay with their files', () => {
  const names = async (path: string) => (await getJson(`/api/files?${q({ path })}`, bob)).body.entries.map((e: any) => e.name);
  const sidecar = (of: string) => JSON.stringify({ source: `https://archive.example/${of}` });

  it('marks files that have one on any page, and renames, moves, copies and deletes the pair', async () => {
    await upload(bob, '~/prov', [
      ['big.fits', 'x'.repeat(5000)],
      ['big.fits.provenance.json', sidecar('big')],
      ['plain.fits', 'x'.repeat(3000)],
      ['old.fits', 'x'],
      ['old.fits.provenance.json', sidecar('old')],
    ]);
    // Sorted by size, one per page: each sidecar is on another page than its file.
    const marks: Record<string, boolean | undefined> = {};
    for (let offset = 0; offset < 5; offset++) {
      const page = await getJson(`/api/files?${q({ path: '~/prov', sort: 'size', order: 'desc', limit: 1, offset, provenance: 'true' })}`, bob);
      for (const e of page.body.entries) marks[e.name] = e.provenance;
    }
    expect(marks).toEqual({ 'big.fits': true, 'plain.fits': undefined, 'old.fits': true, 'big.fits.provenance.json': undefined, 'old.fits.provenance.json': undefined });
    // Without asking, no marks (and no extra work).
    expect((await getJson(`/api/files?${q({ path: '~/prov' })}`, bob)).body.entries.some((e: any) => 'provenance' in e)).toBe(false);
    // Sidecars hidden by the server: full pages, a total that counts what is shown.
    const hidden = await getJson(`/api/files?${q({ path: '~/prov', limit: 2, provenance: 'true', hideSidecars: 'true' })}`, bob);
    expect(hidden.body.total).toBe(3);
    expect(hidden.body.entries.map((e: any) => [e.name, e.provenance ?? false])).toEqual([['big.fits', true], ['old.fits', true]]);

    expect((await postJson('/api/files/move', bob, { from: '~/prov/big.fits', to: '~/prov/renamed.fits' })).status).toBe(200);
    expect(await names('~/prov')).toEqual(['old.fits', 'old.fits.provenance.json', 'plain.fits', 'renamed.fits', 'renamed.fits.provenance.json']);
    const moved = await fetch(`${base}/api/files/download?${q({ path: '~/prov/renamed.fits.provenance.json' })}`, { headers: bob });
    expect(await moved.text()).toBe(sidecar('big'));

    expect((await postJson('/api/files/copy', bob, { from: '~/prov/renamed.fits', to: '~/prov-copy.fits' })).status).toBe(201);
    expect((await names('~')).filter((n: string) => n.startsWith('prov-copy'))).toEqual(['prov-copy.fits', 'prov-copy.fits.provenance.json']);

    // A file without a sidecar put over one that had a sidecar: that sidecar described the file replaced.
    expect((await postJson('/api/files/move', bob, { from: '~/prov/plain.fits', to: '~/prov/old.fits', overwrite: true })).status).toBe(200);
    expect(await names('~/prov')).toEqual(['old.fits', 'renamed.fits', 'renamed.fits.provenance.json']);

    // Deleting a file deletes its sidecar; naming both in one request is no error.
    expect((await postJson('/api/files/delete', bob, { paths: ['~/prov/renamed.fits'] })).status).toBe(200);
    expect((await postJson('/api/files/delete', bob, { paths: ['~/prov-copy.fits', '~/prov-copy.fits.provenance.json'] })).status).toBe(200);
    expect(await names('~/prov')).toEqual(['old.fits']);
    expect((await names('~')).filter((n: string) => n.startsWith('prov-copy'))).toEqual([]);
  });
});

describe('uploads', () => {
  it('keeps relative folders of a folder upload and resolves clashes as name (1).ext', async () => {
    const r = await upload(alice, '~/run1', [
      ['night1/a.fits', 'x'],
      ['night1/b.fits.gz', 'y'],
      ['night2/a.fits', 'z'],
    ]);
    expect(r.status).toBe(201);
    expect(r.body.files.map((f: any) => f.path)).toEqual(['~/run1/night1/a.fits', '~/run1/night1/b.fits.gz', '~/run1/night2/a.fits']);
    const again = await upload(alice, '~/run1', [['night1/a.fits', 'x2'], ['night1/b.fits.gz', 'y2'], ['night1/a.fits', 'x3']]);
    expect(again.body.files.map((f: any) => [f.path, f.renamed])).toEqual([
      ['~/run1/night1/a (1).fits', true],
      ['~/run1/night1/b (1).fits.gz', true],
      ['~/run1/night1/a (2).fits', true],
    ]);
  });

  it('refuses a hostile file name in an upload with 400, keeping the files before it', async () => {
    for (const [name, error] of [
      ['../../etc/passwd', "invalid path '..': '..' is not allowed as a name"],
      ['a/../../b', "invalid path '..': '..' is not allowed as a name"],
      ['/etc/passwd', "invalid name '/etc/passwd': an uploaded file's name is relative to the folder it goes to (no leading /)"],
      ['a\\b', "invalid path 'a\\b': backslashes are not allowed"],
    ]) {
      const r = await upload(alice, '~/hostile', [['fine.txt', 'kept'], [name!, 'evil']]);
      expect([name, r.status, r.body.error]).toEqual([name, 400, error]);
    }
    const listed = await getJson(`/api/files?${q({ path: '~/hostile' })}`, alice);
    expect(listed.body.entries.map((e: any) => e.name)).toEqual(['fine (1).txt', 'fine (2).txt', 'fine (3).txt', 'fine.txt']);
  });

  it('counts uploads exactly against the quota and refuses what does not fit, keeping what did', async () => {
    const u = await addUser(s, 'quota-q', 'user', { storageQuota: 2500 });
    const h = basic(u.username, u.password);
    const r = await upload(h, '~', [['one', new Uint8Array(1000)], ['two', new Uint8Array(1000)], ['three', new Uint8Array(1000)]]);
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/storage quota of quota-q/);
    const list = await getJson(`/api/files?${q({ path: '~' })}`, h);
    expect(list.body.entries.map((e: any) => e.name)).toEqual(['one', 'two']);
    expect(await s.vocloud.resolve(UsageService).usage('quota-q')).toBe(2000);
    await postJson('/api/files/delete', h, { paths: ['~/one'] });
    expect(await s.vocloud.resolve(UsageService).usage('quota-q')).toBe(1000);
  });
});

describe('downloads', () => {
  /** GETs of one of bob's files, with the headers given. */
  const download = (path: string) => (headers: Record<string, string>) => fetch(`${base}/api/files/download?${q({ path })}`, { headers: { ...bob, ...headers } });

  it('serves byte ranges (206) and refuses ranges outside the file (416)', async () => {
    await upload(bob, '~', [['digits.txt', '0123456789']]);
    const path = q({ path: '~/digits.txt' });
    const full = await fetch(`${base}/api/files/download?${path}`, { headers: bob });
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(await full.text()).toBe('0123456789');
    const part = await fetch(`${base}/api/files/download?${path}`, { headers: { ...bob, range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await part.text()).toBe('2345');
    const tail = await fetch(`${base}/api/files/download?${path}`, { headers: { ...bob, range: 'bytes=-3' } });
    expect(await tail.text()).toBe('789');
    const bad = await fetch(`${base}/api/files/download?${path}`, { headers: { ...bob, range: 'bytes=20-30' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */10');
    expect(((await bad.json()) as { error: string }).error).toBe('range bytes=20-30 starts after the end of the file (10 bytes)');
    const none = await fetch(`${base}/api/files/download?${path}`, { headers: { ...bob, range: 'bytes=-0' } });
    expect(none.status).toBe(416);
    await none.body?.cancel();
  });

  it('ignores a Range it does not act on and sends the whole file (RFC 9110 §14.2), as it does after an If-Range that does not match', async () => {
    await upload(bob, '~', [['letters.txt', 'abcdefghij']]);
    const get = download('~/letters.txt');
    const whole = await get({});
    const modified = whole.headers.get('last-modified')!;
    expect(new Date(modified).getTime()).not.toBeNaN();
    await whole.body?.cancel();
    for (const range of ['items=0-1', 'bytes=0-1,4-5', 'bytes=abc', 'bytes=5-2', 'bytes=-', 'bytes 0-1']) {
      const r = await get({ range });
      expect([range, r.status, r.headers.get('content-range'), await r.text()]).toEqual([range, 200, null, 'abcdefghij']);
    }
    // Units are case-insensitive, and a range past the end is cut at it.
    const cut = await get({ range: 'Bytes=7-99' });
    expect([cut.status, cut.headers.get('content-range'), await cut.text()]).toEqual([206, 'bytes 7-9/10', 'hij']);
    // If-Range: the part only while the file is the one the client began with.
    const etag = whole.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+-a"$/); // time and size (10), in hex
    for (const ifRange of [modified, etag]) {
      const same = await get({ range: 'bytes=3-4', 'if-range': ifRange });
      expect([ifRange, same.status, await same.text()]).toEqual([ifRange, 206, 'de']);
    }
    const older = new Date(new Date(modified).getTime() - 1000).toUTCString();
    for (const ifRange of [older, '"an-etag"', `W/${etag}`, 'not a date']) {
      const r = await get({ range: 'bytes=3-4', 'if-range': ifRange });
      expect([ifRange, r.status, await r.text()]).toEqual([ifRange, 200, 'abcdefghij']);
    }
  });

  it('answers 304 to a client whose copy is current (If-None-Match, If-Modified-Since), and sends a changed file again', async () => {
    await upload(bob, '~', [['cached.txt', 'version one']]);
    const get = download('~/cached.txt');
    const first = await get({});
    const etag = first.headers.get('etag')!;
    const modified = first.headers.get('last-modified')!;
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(await first.text()).toBe('version one');
    for (const headers of [{ 'if-none-match': etag }, { 'if-none-match': `"other", W/${etag}` }, { 'if-none-match': '*' }, { 'if-modified-since': modified }] as Record<string, string>[]) {
      const r = await get(headers);
      expect([headers, r.status, await r.text(), r.headers.get('etag')]).toEqual([headers, 304, '', etag]);
    }
    const earlier = new Date(new Date(modified).getTime() - 1000).toUTCString();
    for (const headers of [{ 'if-none-match': '"other"' }, { 'if-modified-since': earlier }, { 'if-none-match': '"other"', 'if-modified-since': modified }] as Record<string, string>[]) {
      const r = await get(headers);
      expect([headers, r.status, await r.text()]).toEqual([headers, 200, 'version one']);
    }
    // Replaced (a new version, a new time and size): the old validators no longer match.
    await new Promise((r) => setTimeout(r, 5));
    const put = await fetch(`${base}/api/files/content?${q({ path: '~/cached.txt', overwrite: 'true' })}`, { method: 'PUT', headers: bob, body: 'version two!' });
    expect(put.status).toBe(201);
    const again = await get({ 'if-none-match': etag });
    expect([again.status, await again.text()]).toEqual([200, 'version two!']);
    expect(again.headers.get('etag')).not.toBe(etag);
  });

  it('zips a selection of files and folders, streamed', async () => {
    await upload(bob, '~/zipme', [['x/1.txt', 'one'], ['x/2.txt', 'two'], ['top.txt', 'top']]);
    const r = await fetch(`${base}/api/files/zip?${q({ path: ['~/zipme/x', '~/zipme/top.txt'], name: 'sel' })}`, { headers: bob });
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(r.headers.get('content-disposition')).toMatch(/sel\.zip/);
    const files = unzipSync(new Uint8Array(await r.arrayBuffer()));
    expect(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({ 'x/1.txt': 'one', 'x/2.txt': 'two', 'top.txt': 'top' });
  });

  it('mass download splits a folder into N zips that together hold every file once', async () => {
    const names = Array.from({ length: 9 }, (_, i) => `f${i}.dat`);
    await upload(bob, '~/mass', names.map((n, i) => [`sub/${n}`, 'x'.repeat(100 + i)]));
    const seen: string[] = [];
    for (let part = 1; part <= 3; part++) {
      const r = await fetch(`${base}/api/files/mass-download?${q({ path: '~/mass', parts: 3, part })}`, { headers: bob });
      expect(r.status).toBe(200);
      const files = Object.keys(unzipSync(new Uint8Array(await r.arrayBuffer())));
      expect(files.length).toBe(Number(r.headers.get('x-vocloud-files')));
      seen.push(...files);
    }
    expect(seen.sort()).toEqual(names.map((n) => `sub/${n}`).sort());
    expect((await fetch(`${base}/api/files/mass-download?${q({ path: '~/mass', parts: 3, part: 4 })}`, { headers: bob })).status).toBe(400);
  });

  it('signed URLs work without a session, only until they expire, and cannot be forged', async () => {
    await upload(bob, '~/samp', [['spec.vot', '<VOTABLE/>'], ['more/b.txt', 'b']]);
    const signed = await postJson('/api/files/sign', bob, { path: '~/samp/spec.vot', expiresIn: 60 });
    expect(signed.status).toBe(200);
    expect(signed.body.url).toMatch(new RegExp(`^${base}/api/files/signed/`));
    const anon = await fetch(signed.body.url);
    expect(anon.status).toBe(200);
    expect(await anon.text()).toBe('<VOTABLE/>');
    const ranged = await fetch(signed.body.url, { headers: { range: 'bytes=1-7' } });
    expect(await ranged.text()).toBe('VOTABLE');
    const token = signed.body.url.split('/').pop();
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await fetch(`${base}/api/files/signed/${forged}`)).status).toBe(403);
    const folder = await postJson('/api/files/sign', bob, { path: '~/samp', expiresIn: 60 });
    const zip = unzipSync(new Uint8Array(await (await fetch(folder.body.url)).arrayBuffer()));
    expect(Object.keys(zip).sort()).toEqual(['samp/more/b.txt', 'samp/spec.vot']);
    const short = await postJson('/api/files/sign', bob, { path: '~/samp/spec.vot', expiresIn: 10 });
    expect((await postJson('/api/files/sign', bob, { path: '~/samp/spec.vot', expiresIn: 9_999_999 })).status).toBe(400);
    const { ServerKey } = await import('../../core/dist/secrets/server-key.js');
    const key = s.vocloud.resolve(ServerKey as never) as { verify(t: string): unknown; sign(p: object, ttl: number): string };
    expect(key.verify(short.body.url.split('/').pop())).not.toBeNull();
    const expired = key.sign({ b: 'home/bob/samp/spec.vot', n: 'spec.vot' }, -5);
    expect((await fetch(`${base}/api/files/signed/${expired}`)).status).toBe(403);
  });
});

describe('previews', () => {
  it('shows FITS header cards of a real HST spectrum', async () => {
    await upload(alice, '~/real', [['calspec.fits', await readFile(join(REAL, 'calspec-grw70d5824-bintable.fits'))]]);
    const p = await getJson(`/api/files/preview?${q({ path: '~/real/calspec.fits' })}`, alice);
    expect(p.body.kind).toBe('fits');
    expect(p.body.hdus.length).toBeGreaterThanOrEqual(2);
    expect(p.body.hdus[1].type).toBe('BINTABLE');
    const ttypes = p.body.hdus[1].cards.filter((c: any) => /^TTYPE\d+$/.test(c.keyword)).map((c: any) => c.value);
    expect(ttypes).toEqual(expect.arrayContaining(['WAVELENGTH', 'FLUX']));
  });

  it("shows a real SSAP VOTable's fields and query status, and the start of a text file", async () => {
    await upload(alice, '~/real', [['ssap.vot.xml', await readFile(join(REAL, 'ssap-sdss-dr6-result.vot.xml'))], ['sn.csv', await readFile(join(REAL, 'oac-sn-spectrum.csv'))]]);
    const v = await getJson(`/api/files/preview?${q({ path: '~/real/ssap.vot.xml' })}`, alice);
    expect(v.body.kind).toBe('votable');
    expect(v.body.tables[0].rows).toBe(35);
    expect(v.body.tables[0].fields.find((f: any) => f.utype?.toLowerCase().endsWith('access.reference'))).toBeTruthy();
    expect(v.body.queryStatus).toBe('OK');
    const t = await getJson(`/api/files/preview?${q({ path: '~/real/sn.csv' })}`, alice);
    expect(t.body).toMatchObject({ kind: 'text', truncated: false });
    expect(t.body.text.startsWith('wavelength,flux\n8500.0000')).toBe(true);
  });
});

describe('storage paths in job parameters', () => {
  it('a parameter naming a file the owner cannot read is refused at creation', async () => {
    // the typed test job has no storage parameter; the command plugin's would — checked through TARGETDIR here
    const ok = await fetch(`${base}/uws/noop`, { method: 'POST', headers: alice, body: formBody({ TARGETDIR: '~/outputs', PHASE: 'RUN' }), redirect: 'manual' });
    expect(ok.status).toBe(303);
    const bad = await fetch(`${base}/uws/noop`, { method: 'POST', headers: alice, body: formBody({ TARGETDIR: 'DATA/not-mine' }), redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/TARGETDIR/);
  });

  it('TARGETDIR receives a copy of the results when the job completes', async () => {
    const f = new FormData();
    f.append('input', new Blob(['to keep']), 'k.txt');
    f.append('TARGETDIR', '~/outputs');
    f.append('PHASE', 'RUN');
    const res = await fetch(`${base}/uws/files`, { method: 'POST', headers: alice, body: f, redirect: 'manual' });
    const url = res.headers.get('location')!;
    expect((await waitFinal(url, 30_000, alice)).phase).toBe('COMPLETED');
    const id = url.split('/').pop()!;
    const copy = await fetch(`${base}/api/files/download?${q({ path: `~/outputs/${id}/nested/copy.bin` })}`, { headers: alice });
    expect(await copy.text()).toBe('to keep');
  });
});

describe('hostile paths are refused with 400, one case each', () => {
  const cases: [string, string][] = [
    ['dot-dot', '~/../bob/secret'],
    ['dot-dot inside', '~/a/../../etc'],
    ['absolute', '/etc/passwd'],
    ['no area', 'etc/passwd'],
    ['NUL byte', '~/a\u0000b'],
    ['backslash', '~/a\\..\\b'],
    ['look-alike slash', '~/a\u2215..\u2215b'],
    ['look-alike dots', '~/\uFF0E\uFF0E/x'],
    ['control character', '~/a\u0007b'],
    ['name over 255 bytes', `~/${'n'.repeat(256)}`],
  ];
  for (const [what, path] of cases) {
    it(what, async () => {
      const r = await fetch(`${base}/api/files/stat?${q({ path })}`, { headers: alice });
      expect(r.status).toBe(400);
      expect(await r.text()).toMatch(/invalid path|starts with/);
    });
  }

  it('a symlink that leaves the storage root', async () => {
    const home = join(s.dataDir, 'storage', 'home', 'alice');
    await mkdir(home, { recursive: true });
    await symlink('/etc', join(home, 'escape'));
    const r = await fetch(`${base}/api/files/download?${q({ path: '~/escape/passwd' })}`, { headers: alice });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/leads outside the storage area/);
  });
});
