import { readFileSync } from 'node:fs';
import { readdir, readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePluginExport, type JobTypeDefinition } from '@vocloud/sdk';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import plugin from '../src/index.js';
import { startBadPeer, type BadPeer } from './bad-http-peer.js';

/*
 * The shared download path against a misbehaving HTTP server, through the job type `http` in
 * the sdk's test harness (storage on a local folder): each misbehaviour is a clear per-item
 * error, nothing is written outside the target folder, and what was imported stays.
 */

const REAL = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'real');
const FITS = readFileSync(resolve(REAL, 'calspec-grw70d5824-bintable.fits'));
const options = {
  allowPrivateNetworks: true,
  retries: 2,
  retryDelay: 0.01,
  // undici checks its response deadline on a coarse clock (half-second ticks): the item
  // deadline stays clear of it, so a hanging server fails by the response timeout
  timeouts: { connect: 2, response: 1, idle: 0.5, item: 2.5 },
};
const types = (o: object = options) => resolvePluginExport(plugin, o, 'test');
const http = types().find((t) => t.name === 'http') as JobTypeDefinition;

let peer: BadPeer;
beforeAll(async () => {
  peer = await startBadPeer(FITS);
});
afterAll(async () => peer?.close());

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p, base)));
    else out.push(p.slice(base.length + 1));
  }
  return out.sort();
}

async function run(params: Record<string, unknown>, storageRoot?: string) {
  const root = storageRoot ?? (await mkdtemp(join(tmpdir(), 'ds-http-')));
  const r = await runWorkerForTest(http, { target: '~/imports', ...params }, { storageRoot: root, ownerId: 'alice' });
  const manifest = r.results.find((x) => x.name === 'manifest.csv');
  const rows = manifest ? parseCsv(await readFile(manifest.path, 'utf8')) : [];
  return { r, root, rows, files: await filesUnder(root).catch(() => []) };
}

function parseCsv(text: string): Record<string, string>[] {
  const lines: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell.replace(/\r$/, '')), lines.push(row), (row = []), (cell = '');
    else cell += c;
  }
  const [head, ...rest] = lines;
  return rest.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

describe('single files', () => {
  it('imports a file with its provenance sidecar and a manifest (CSV and VOTable)', async () => {
    const { r, root, rows } = await run({ url: `${peer.url}/files/a.fits` });
    expect(r.phase).toBe('COMPLETED');
    expect(await readFile(join(root, 'home', 'imports', 'a.fits'))).toEqual(FITS);
    const prov = JSON.parse(await readFile(join(root, 'home', 'imports', 'a.fits.provenance.json'), 'utf8'));
    expect(prov).toMatchObject({ source: `${peer.url}/files/a.fits`, size: FITS.length, contentType: 'application/fits', job: { type: 'http' } });
    expect(prov.sha256).toHaveLength(64);
    expect(prov).not.toHaveProperty('retrievedFrom'); // not redirected
    expect(rows).toEqual([{ url: `${peer.url}/files/a.fits`, file: '~/imports/a.fits', size: String(FITS.length), state: 'done', error: '' }]);
    expect(r.results.map((x) => x.name).sort()).toEqual(['manifest.csv', 'manifest.vot']);
  });

  it('a redirected file is named after where it landed, and its sidecar says where the bytes came from', async () => {
    const { r, root, rows } = await run({ url: `${peer.url}/moved` });
    expect(r.phase).toBe('COMPLETED');
    expect(await readFile(join(root, 'home', 'imports', 'a.fits'))).toEqual(FITS);
    const prov = JSON.parse(await readFile(join(root, 'home', 'imports', 'a.fits.provenance.json'), 'utf8'));
    expect(prov).toMatchObject({ source: `${peer.url}/moved`, retrievedFrom: `${peer.url}/files/a.fits`, size: FITS.length });
    expect(rows).toEqual([{ url: `${peer.url}/moved`, file: '~/imports/a.fits', size: String(FITS.length), state: 'done', error: '' }]);
  });

  it('a 404 and a 500 end the job in ERROR with the server named; 500 is retried, 404 not', async () => {
    const a = await run({ url: `${peer.url}/404.fits` });
    expect(a.r.phase).toBe('ERROR');
    expect(a.r.error).toMatch(/HTTP 404 Not Found .*no such spectrum/);
    expect(peer.hits.get('/404.fits')).toBe(1);
    const b = await run({ url: `${peer.url}/500.fits` });
    expect(b.r.error).toMatch(/HTTP 500 Internal Server Error .*Internal error database down.*after 3 attempts/);
    expect(peer.hits.get('/500.fits')).toBe(3);
    expect(b.files.filter((f) => !f.startsWith('home/imports'))).toEqual([]);
    expect(b.files).toEqual([]);
  });

  it('transient 503s are retried with backoff until the file comes', async () => {
    const { r, rows } = await run({ url: `${peer.url}/flaky.fits` });
    expect(r.phase).toBe('COMPLETED');
    expect(rows[0]).toMatchObject({ state: 'done', size: String(FITS.length) });
  });

  it('a server that never answers, one that dribbles, and one that stalls each fail by their timeout', async () => {
    const hang = await run({ url: `${peer.url}/hang.fits` });
    expect(hang.r.error).toMatch(/did not answer within 1 s/);
    const dribble = await run({ url: `${peer.url}/dribble.fits` });
    expect(dribble.r.error).toMatch(/took longer than 2.5 s/);
    const stall = await run({ url: `${peer.url}/stall.fits` });
    expect(stall.r.error).toMatch(/no data for 0.5 s/);
    for (const x of [hang, dribble, stall]) expect(x.files).toEqual([]);
  }, 30_000);

  it('a lying Content-Length is resumed with a range request when the server allows it', async () => {
    const { r, root, rows } = await run({ url: `${peer.url}/lying-range.fits` });
    expect(r.phase).toBe('COMPLETED');
    expect(await readFile(join(root, 'home', 'imports', 'lying-range.fits'))).toEqual(FITS);
    expect(rows[0]).toMatchObject({ state: 'done', error: 'resumed 1 time(s)' });
  });

  it('a lying Content-Length without range support fails clearly and leaves no partial file', async () => {
    const { r, files } = await run({ url: `${peer.url}/lying.fits` });
    expect(r.phase).toBe('ERROR');
    expect(r.error).toMatch(new RegExp(`announced ${FITS.length} bytes but sent only 10000 .*could not resume at byte 10000 \\(after 3 attempts\\)`));
    expect(files).toEqual([]);
  });

  it('a file above the maximum total size is refused while streaming', async () => {
    const { r, files } = await run({ url: `${peer.url}/files/a.fits`, maxTotalSize: 50_000 });
    expect(r.error).toMatch(/more than what is left of the import's maximum total size|larger than what is left/);
    expect(files).toEqual([]);
  });

  it('a Content-Disposition name with ../ stays inside the target', async () => {
    const { r, files } = await run({ url: `${peer.url}/named` });
    expect(r.phase).toBe('COMPLETED');
    expect(files).toEqual(['home/imports/evil.fits', 'home/imports/evil.fits.provenance.json']);
  });

  it('an aborted import publishes its manifest with the items it did not finish', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ds-abort-'));
    const r = await runWorkerForTest(http, { url: `${peer.url}/dribble.fits`, target: '~/imports' }, { storageRoot: root, ownerId: 'alice', abortAfterMs: 300 });
    expect(r.phase).toBe('ABORTED');
    const rows = parseCsv(await readFile(r.results.find((x) => x.name === 'manifest.csv')!.path, 'utf8'));
    expect(rows).toEqual([{ url: `${peer.url}/dribble.fits`, file: '', size: '', state: 'pending', error: 'not imported: the job was aborted' }]);
    expect(await filesUnder(root).catch(() => [])).toEqual([]);
  });

  it('private addresses are refused unless the admin allows them', async () => {
    const closed = types({ ...options, allowPrivateNetworks: false }).find((t) => t.name === 'http')!;
    const r = await runWorkerForTest(closed, { url: `${peer.url}/files/a.fits` }, { ownerId: 'alice' });
    expect(r.error).toMatch(/127\.0\.0\.1 is a loopback, private or reserved address/);
    const r2 = await runWorkerForTest(closed, { url: 'http://localhost:1/x.fits' }, { ownerId: 'alice' });
    expect(r2.error).toMatch(/localhost: .* is a loopback, private or reserved address/);
  });
});

describe('index pages', () => {
  it('follows links below the start, cuts the loop, keeps hostile names inside the target', async () => {
    const { r, root, rows, files } = await run({ url: `${peer.url}/tree/`, recursive: true, depth: 1, exclude: ['*.txt'] });
    expect(r.phase).toBe('COMPLETED');
    const data = files.filter((f) => !f.endsWith('.provenance.json'));
    expect(data).toEqual([
      'home/imports/___.._etc_passwd',
      'home/imports/a.fits',
      'home/imports/a_.._.._b',
      'home/imports/b.fits',
      'home/imports/café.fits',
      'home/imports/sub/c.fits',
      'home/imports/x_y (1).fits',
      'home/imports/x_y.fits',
    ]);
    expect(files.every((f) => f.startsWith('home/imports/'))).toBe(true);
    expect(await readFile(join(root, 'home', 'imports', 'sub', 'c.fits'))).toEqual(FITS);
    const loop = rows.find((x) => x.url.endsWith('/tree/loop/'));
    expect(loop).toMatchObject({ state: 'skipped' });
    expect(loop!.error).toMatch(/index loop: this folder lists exactly what .*\/tree\/ lists/);
    // depth 1: sub/deeper/ is not followed; the parent, other hosts and sort links never are
    expect(peer.hits.get('/tree/sub/deeper/')).toBeUndefined();
    expect(rows.some((x) => x.url.includes('elsewhere') || x.url.includes('escape'))).toBe(false);
    expect(rows.filter((x) => x.state === 'done')).toHaveLength(8);
  });

  it('an index page that never finishes fails the job by its deadline', async () => {
    const { r } = await run({ url: `${peer.url}/slow-index/`, recursive: true });
    expect(r.phase).toBe('ERROR');
    expect(r.error).toMatch(/cannot read .*\/slow-index\/: the index page did not arrive within 2.5 s \(after 3 attempts\)/);
  }, 20_000);

  it('running the same import again skips what is already there (resume), keep-both duplicates', async () => {
    const first = await run({ url: `${peer.url}/tree/sub/`, recursive: true, depth: 0 });
    expect(first.rows.map((x) => x.state)).toEqual(['done']);
    const again = await run({ url: `${peer.url}/tree/sub/`, recursive: true, depth: 0 }, first.root);
    expect(again.rows).toMatchObject([{ state: 'skipped', error: 'imported before from the same source', file: '~/imports/c.fits' }]);
    const both = await run({ url: `${peer.url}/tree/sub/`, recursive: true, depth: 0, existing: 'keep-both' }, first.root);
    expect(both.rows).toMatchObject([{ state: 'done', file: '~/imports/c (1).fits' }]);
  });

  it('one failing file does not undo the others, and the job completes', async () => {
    const { r, rows } = await run({ url: `${peer.url}/tree/`, recursive: true, depth: 0, include: ['a.fits', 'b.fits'] });
    expect(r.phase).toBe('COMPLETED');
    expect(rows.map((x) => x.state)).toEqual(['done', 'done']);
  });

  it('the target must be a folder the owner may write', async () => {
    const r = await runWorkerForTest(http, { url: `${peer.url}/files/a.fits`, target: 'DATA/x' }, { ownerId: 'alice' });
    expect(r.error).toMatch(/read-only/);
    // a storage path parameter: refused when parameters are parsed (in a server: at job creation)
    const r2 = await runWorkerForTest(http, { url: `${peer.url}/files/a.fits`, target: '~/../etc' }, { ownerId: 'alice' });
    expect(r2.error).toBe("parameter 'target': invalid path '..': '..' is not allowed as a name");
  });
});
