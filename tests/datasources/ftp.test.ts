import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';
import { addUser, basic } from '../support/auth.js';
import { ImportClient } from './support/client.js';
import { needPeer, peers } from '../support/peers.js';
import { startFtpPeer, type FtpPeer } from './support/ftp-peer.js';
import { REAL } from './support/vo-peer.js';

/*
 * FTP imports through a real vocloud server from a real FTP server (pyftpdlib) serving a tree
 * of real FITS files: recursion, filters, a symbolic-link loop, a name that is not UTF-8,
 * names a hostile server lists, logins, the storage quota.
 */

const CALSPEC = readFileSync(resolve(REAL, 'calspec-grw70d5824-bintable.fits'));
const ALFALFA = readFileSync(resolve(REAL, 'alfalfa-hi-vector-columns.fits'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!needPeer(peers.pyftpdlib(), 'FTP imports from a real FTP server'))('FTP imports', () => {
  let s: TestServer;
  let ftp: FtpPeer;
  let alice: Record<string, string>;
  let tiny: Record<string, string>;

  beforeAll(async () => {
    const top = mkdtempSync(join(tmpdir(), 'ds-ftp-'));
    const root = join(top, 'root');
    mkdirSync(join(root, 'spectra', 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(root, 'spectra', 'a.fits'), CALSPEC);
    writeFileSync(join(root, 'spectra', 'b.fits'), ALFALFA);
    writeFileSync(join(root, 'spectra', 'notes.txt'), 'observing log');
    writeFileSync(join(root, 'spectra', 'sub', 'c.fits'), CALSPEC);
    writeFileSync(join(root, 'spectra', 'sub', 'deeper', 'd.fits'), ALFALFA);
    writeFileSync(Buffer.from(join(root, 'spectra', 'caf\xe9.fits'), 'latin1'), ALFALFA);
    symlinkSync('.', join(root, 'spectra', 'loop'));
    // what a hostile listing names: real files so that the server can list them
    mkdirSync(join(root, 'hostile'));
    writeFileSync(join(root, 'hostile', 'x.fits'), CALSPEC);
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), 'not the real passwd');
    writeFileSync(join(root, 'b'), 'b at the root');
    mkdirSync(join(root, 'many'));
    for (let i = 0; i < 12; i++) writeFileSync(join(root, 'many', `s${i}.fits`), CALSPEC);
    // the server closes the connection at the first LIST, MLSD or RETR of a 'drop-once' name, at each of a 'drop-always' one
    mkdirSync(join(root, 'unsteady-drop-once'));
    writeFileSync(join(root, 'unsteady-drop-once', 'a.fits'), CALSPEC);
    writeFileSync(join(root, 'unsteady-drop-once', 'b-drop-once.fits'), ALFALFA);
    writeFileSync(join(root, 'unsteady-drop-once', 'c-drop-always.fits'), CALSPEC);
    mkdirSync(join(top, 'etc'));
    writeFileSync(join(top, 'etc', 'passwd'), 'outside the FTP root');
    for (const d of [top, root]) chmodSync(d, 0o755);
    ftp = await startFtpPeer(root, 'astro', 'ftp-pass-123', top);
    s = await startServer({
      plugins: [{ package: '@vocloud/plugin-datasources', options: { allowPrivateNetworks: true, retries: 1, retryDelay: 0.05, timeouts: { connect: 5, response: 5, idle: 5, item: 60 } } }],
      overrides: { auth: { anonymous: false } },
    });
    alice = basic(...(Object.values(await addUser(s, 'alice', 'user', { storageQuota: 20_000_000 })) as [string, string]));
    tiny = basic(...(Object.values(await addUser(s, 'tina', 'user', { storageQuota: 100_000 })) as [string, string]));
  });
  afterAll(async () => {
    await s?.stop();
    await ftp?.stop();
  });

  const runJob = (h: Record<string, string>, form: Record<string, string | number | (string | number)[]>) => new ImportClient(s.url, h).run('ftp', form);
  const download = (h: Record<string, string>, path: string) => new ImportClient(s.url, h).download(path);
  const tree = (h: Record<string, string>, path: string) => new ImportClient(s.url, h).tree(path);

  it('imports a tree anonymously: folders kept, filters applied, the link loop cut, a Latin-1 name readable', async () => {
    const { job, rows } = await runJob(alice, { url: `${ftp.url}/spectra/`, recursive: 'true', depth: 1, include: '**/*.fits', target: '~/ftp' });
    expect(job.phase).toBe('COMPLETED');
    const files = (await tree(alice, '~/ftp')).filter((f) => !f.endsWith('.provenance.json'));
    expect(files).toEqual(['~/ftp/a.fits', '~/ftp/b.fits', '~/ftp/café.fits', '~/ftp/sub/c.fits']);
    expect(sha(await download(alice, '~/ftp/a.fits'))).toBe(sha(CALSPEC));
    expect(sha(await download(alice, '~/ftp/sub/c.fits'))).toBe(sha(CALSPEC));
    expect(sha(await download(alice, '~/ftp/café.fits'))).toBe(sha(ALFALFA));
    expect(rows.find((r) => r.url.endsWith('/spectra/loop/'))).toMatchObject({ state: 'skipped', error: expect.stringMatching(/folder loop/) });
    expect(rows.find((r) => r.file === '~/ftp/café.fits')!.url).toBe(`${ftp.url}/spectra/caf%E9.fits`);
    const prov = JSON.parse((await download(alice, '~/ftp/b.fits.provenance.json')).toString());
    expect(prov).toMatchObject({ source: `${ftp.url}/spectra/b.fits`, size: ALFALFA.length, sha256: sha(ALFALFA), query: `${ftp.url}/spectra/` });
    // depth 1: sub/deeper is not entered
    expect(files.some((f) => f.includes('deeper'))).toBe(false);
  });

  it('an import reuses its connections: twelve files, two at a time, take no more logins than connections', async () => {
    const before = ftp.logins();
    const { job, rows } = await runJob(alice, { url: `${ftp.url}/many/`, recursive: 'true', concurrency: 2, target: '~/many' });
    expect(job.phase).toBe('COMPLETED');
    expect(rows.filter((r) => r.state === 'done')).toHaveLength(12);
    // two transfers at a time and one connection more for listing: a login per file would be 12
    expect(ftp.logins() - before).toBeGreaterThan(0);
    expect(ftp.logins() - before).toBeLessThanOrEqual(3);
  });

  it('a connection the server closes is opened again: the listing and the file are retried, a file it always drops fails alone', async () => {
    const { job, rows } = await runJob(alice, { url: `${ftp.url}/unsteady-drop-once/`, concurrency: 1, target: '~/unsteady' });
    expect(job.phase).toBe('COMPLETED');
    // the listing was dropped first, then each drop-once file once, and the drop-always file at its
    // two attempts (retries: 1) and at the resume each attempt tries within
    const drops = ftp.drops().map((p) => p.slice(p.indexOf('/unsteady-drop-once')));
    expect(drops[0]).toBe('/unsteady-drop-once');
    expect(drops.slice(1).sort()).toEqual(['b-drop-once.fits', 'c-drop-always.fits', 'c-drop-always.fits', 'c-drop-always.fits', 'c-drop-always.fits'].map((f) => `/unsteady-drop-once/${f}`));
    const byName = Object.fromEntries(rows.map((r) => [r.url.split('/').pop(), r]));
    expect(byName['a.fits']).toMatchObject({ state: 'done', size: String(CALSPEC.length) });
    expect(byName['b-drop-once.fits']).toMatchObject({ state: 'done', size: String(ALFALFA.length) });
    expect(byName['c-drop-always.fits']).toMatchObject({ state: 'failed', error: expect.stringMatching(/the FTP server closed the connection .*\(after 2 attempts\)$/) });
    expect(sha(await download(alice, '~/unsteady/b-drop-once.fits'))).toBe(sha(ALFALFA));
    expect((await tree(alice, '~/unsteady')).filter((f) => !f.endsWith('.provenance.json'))).toEqual(['~/unsteady/a.fits', '~/unsteady/b-drop-once.fits']);
  });

  it('logs in with credentials; a wrong password is a clear error', async () => {
    const ok = await runJob(alice, { url: `${ftp.url}/spectra/b.fits`, username: 'astro', password: 'ftp-pass-123', target: '~/login' });
    expect(ok.job.phase).toBe('COMPLETED');
    expect(ok.rows).toMatchObject([{ state: 'done', file: '~/login/b.fits', size: String(ALFALFA.length) }]);
    const bad = await runJob(alice, { url: `${ftp.url}/spectra/b.fits`, username: 'astro', password: 'wrong', target: '~/login' });
    expect(bad.job.phase).toBe('ERROR');
    expect(bad.job.errorSummary?.message).toMatch(/cannot log in to 127\.0\.0\.1:\d+: FTP 530/);
  });

  it('names a hostile server lists stay single names inside the target folder', async () => {
    const { job, rows } = await runJob(alice, { url: `${ftp.url}/hostile/`, target: '~/hostile' });
    expect(job.phase).toBe('COMPLETED');
    const all = await tree(alice, '~');
    expect(all.filter((f) => f.startsWith('~/hostile/')).length).toBe(all.filter((f) => f.includes('hostile')).length);
    const names = (await tree(alice, '~/hostile')).filter((f) => !f.endsWith('.provenance.json'));
    expect(names).toContain('~/hostile/x.fits');
    for (const n of names) expect(n.split('/')).toHaveLength(3);
    expect(rows.map((r) => r.file).filter(Boolean).every((f) => f.startsWith('~/hostile/') && f.split('/').length === 3)).toBe(true);
  });

  it('a file larger than the quota fails alone before it is fetched, with the quota named; what fits is kept', async () => {
    const { job, rows } = await runJob(tiny, { url: `${ftp.url}/spectra/`, include: ['a.fits', 'b.fits'], target: '~/q', concurrency: 1 });
    expect(job.phase).toBe('COMPLETED');
    const byName = Object.fromEntries(rows.map((r) => [r.url.split('/').pop(), r]));
    expect(byName['b.fits']).toMatchObject({ state: 'done' });
    // the listing gave its size: refused before a data connection is opened
    expect(byName['a.fits']).toMatchObject({ state: 'failed', error: expect.stringMatching(/^not downloaded: 121 kB with its provenance file does not fit in the storage quota of tina \(100 kB; /) });
    expect(await tree(tiny, '~/q')).toEqual(['~/q/b.fits', '~/q/b.fits.provenance.json']);
  });

  it('a server that is not there, and a folder that is not there, are clear errors', async () => {
    const gone = await runJob(alice, { url: 'ftp://127.0.0.1:1/x/', target: '~/gone' });
    expect(gone.job.phase).toBe('ERROR');
    expect(gone.job.errorSummary?.message).toMatch(/cannot read ftp:\/\/127\.0\.0\.1:1\/x\/: cannot log in to 127\.0\.0\.1:1: the connection was refused/);
    const missing = await runJob(alice, { url: `${ftp.url}/no-such-folder/`, target: '~/gone' });
    expect(missing.job.phase).toBe('ERROR');
    expect(missing.job.errorSummary?.message).toMatch(/FTP 550/);
  });

  it('the preview lists what an import would fetch', async () => {
    const r = await fetch(`${s.url}/api/datasources/ftp/preview`, {
      method: 'POST',
      headers: { ...alice, 'content-type': 'application/json' },
      body: JSON.stringify({ parameters: { url: `${ftp.url}/spectra/`, recursive: true, depth: 2, exclude: ['*.txt'] } }),
    });
    const p = ((await r.json()) as any).preview;
    expect(p.files.map((f: any) => f.path).sort()).toEqual(['a.fits', 'b.fits', 'café.fits', 'sub/c.fits', 'sub/deeper/d.fits']);
    expect(p.files.find((f: any) => f.path === 'a.fits').size).toBe(CALSPEC.length);
  });
});
