import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePluginExport, type JobTypeDefinition } from '@vocloud/sdk';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import plugin from '@vocloud/plugin-datasources';
import { needPeer, peers } from '../support/peers.js';
import { makeTestCertificates } from './support/certificates.js';
import { manifestRows } from './support/client.js';
import { REAL } from './support/vo-peer.js';

/*
 * HTTPS imports with certificates made for the test, from a real TLS server on loopback: a
 * server whose certificate nobody here trusts is refused with the reason and what an admin
 * can do about it, and the same server is crawled and imported byte for byte once its
 * certificate authority is given with the option `trustedCertificates`. Basic credentials go
 * to that server over TLS.
 */

const CALSPEC = readFileSync(resolve(REAL, 'calspec-grw70d5824-bintable.fits'));
const ALFALFA = readFileSync(resolve(REAL, 'alfalfa-hi-vector-columns.fits'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const httpType = (extra: object) =>
  resolvePluginExport(plugin, { allowPrivateNetworks: true, retries: 0, timeouts: { connect: 5, response: 5, idle: 5, item: 30 }, ...extra }, 'test').find(
    (t) => t.name === 'http',
  ) as JobTypeDefinition;
const files: Record<string, Buffer> = { 'a.fits': CALSPEC, 'b.fits': ALFALFA };
const AUTH = `Basic ${Buffer.from('astro:tls-pass-123').toString('base64')}`;

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), base) : [join(dir, e.name).slice(base.length + 1)]))
    .sort();
}

describe.skipIf(!needPeer(peers.openssl(), 'HTTPS imports (certificates made with openssl)'))('HTTPS', () => {
  let server: Server;
  let base = '';
  let caFile = '';
  const seen: { path: string; auth: string | undefined }[] = [];

  beforeAll(async () => {
    const top = mkdtempSync(join(tmpdir(), 'ds-https-'));
    const certs = makeTestCertificates(top);
    caFile = certs.caFile;
    server = createServer({ key: readFileSync(certs.keyFile), cert: readFileSync(certs.certFile) }, (req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      if (req.headers.authorization !== AUTH) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="archive"' }).end('log in');
      if (req.url === '/spectra/') {
        const html = `<html><body><pre>${Object.keys(files).map((n) => `<a href="${n}">${n}</a>`).join('\n')}</pre></body></html>`;
        return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      }
      const name = req.url?.replace(/^\/spectra\//, '') ?? '';
      const bytes = files[name];
      if (!bytes) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/fits', 'content-length': bytes.length }).end(bytes);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => (server ? server.close(() => ok()) : ok())));

  it('refuses a server whose certificate authority is not trusted, with the reason and the fix, and stores nothing', async () => {
    const storageRoot = mkdtempSync(join(tmpdir(), 'ds-https-store-'));
    const r = await runWorkerForTest(httpType({}), { url: `${base}/spectra/a.fits`, username: 'astro', password: 'tls-pass-123', target: '~/tls' }, { ownerId: 'a', storageRoot });
    expect(r.phase).toBe('ERROR');
    expect(r.error).toMatch(/unable to verify the first certificate: the server's TLS certificate is not trusted here; .*trustedCertificates/);
    expect(filesUnder(storageRoot)).toEqual([]);
    // nothing was asked: the TLS handshake failed before a request (and its password) was sent
    expect(seen).toEqual([]);
  });

  it('crawls and imports byte for byte over TLS with the CA trusted, sending the credentials to that server', async () => {
    const storageRoot = mkdtempSync(join(tmpdir(), 'ds-https-store-'));
    const r = await runWorkerForTest(
      httpType({ trustedCertificates: [caFile] }),
      { url: `${base}/spectra/`, recursive: true, username: 'astro', password: 'tls-pass-123', target: '~/tls' },
      { ownerId: 'a', storageRoot },
    );
    expect(r.error).toBeUndefined();
    expect(r.phase).toBe('COMPLETED');
    const home = join(storageRoot, 'home', 'tls');
    expect(filesUnder(home)).toEqual(['a.fits', 'a.fits.provenance.json', 'b.fits', 'b.fits.provenance.json']);
    for (const [name, bytes] of Object.entries(files)) {
      expect(sha(readFileSync(join(home, name))), name).toBe(sha(bytes));
      const sidecar = JSON.parse(readFileSync(join(home, `${name}.provenance.json`), 'utf8')) as Record<string, unknown>;
      expect(sidecar).toMatchObject({ source: `${base}/spectra/${name}`, size: bytes.length, sha256: sha(bytes), contentType: 'application/fits' });
      expect(JSON.stringify(sidecar)).not.toContain('tls-pass-123');
    }
    const rows = manifestRows(readFileSync(r.results.find((x) => x.name === 'manifest.csv')!.path, 'utf8'));
    expect(rows.map((row) => [row.url, row.state]).sort()).toEqual([
      [`${base}/spectra/a.fits`, 'done'],
      [`${base}/spectra/b.fits`, 'done'],
    ]);
    expect(seen.map((s) => s.path).sort()).toEqual(['/spectra/', '/spectra/a.fits', '/spectra/b.fits']);
    expect(seen.every((s) => s.auth === AUTH)).toBe(true);
  });
});
