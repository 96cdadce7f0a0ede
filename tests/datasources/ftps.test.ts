import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePluginExport, type JobTypeDefinition } from '@vocloud/sdk';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import plugin from '@vocloud/plugin-datasources';
import { needPeer, peers, pythonModule } from '../support/peers.js';
import { makeTestCertificates } from './support/certificates.js';
import { manifestRows } from './support/client.js';
import { startFtpPeer, type FtpPeer } from './support/ftp-peer.js';
import { REAL } from './support/vo-peer.js';
import { startVsftpdPeer, vsftpdPeer, type VsftpdPeer } from './support/vsftpd-peer.js';

/*
 * FTPS (explicit AUTH TLS) with certificates made for the test. Against pyftpdlib's TLS
 * handler: a certificate nobody trusts fails the login with the reason, and a server that
 * requires TLS is never talked to in clear text by mistake. Against vsftpd, which requires
 * TLS for logins and for every data connection: a tree of real FITS files is imported
 * recursively over TLS byte for byte when the server's CA is given with the option
 * `trustedCertificates`, and the same server is refused with the reason without it.
 */

const CALSPEC = readFileSync(resolve(REAL, 'calspec-grw70d5824-bintable.fits'));
const ALFALFA = readFileSync(resolve(REAL, 'alfalfa-hi-vector-columns.fits'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ftpType = (extra: object) => resolvePluginExport(plugin, { allowPrivateNetworks: true, retries: 0, timeouts: { connect: 5, response: 5, idle: 5, item: 30 }, ...extra }, 'test').find((t) => t.name === 'ftp') as JobTypeDefinition;
const ok = needPeer(peers.pyftpdlib(), 'FTPS imports') && needPeer(pythonModule('OpenSSL', 'python3-openssl'), 'FTPS imports (pyftpdlib TLS)');

describe.skipIf(!ok)('FTPS', () => {
  let ftp: FtpPeer;

  beforeAll(async () => {
    const top = mkdtempSync(join(tmpdir(), 'ds-ftps-'));
    mkdirSync(join(top, 'root'));
    writeFileSync(join(top, 'root', 'a.fits'), CALSPEC);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(top, 'key.pem'), '-out', join(top, 'cert.pem')], { stdio: 'ignore' });
    writeFileSync(join(top, 'both.pem'), readFileSync(join(top, 'cert.pem'), 'utf8') + readFileSync(join(top, 'key.pem'), 'utf8'));
    for (const f of [top, join(top, 'root'), join(top, 'both.pem')]) chmodSync(f, 0o755);
    ftp = await startFtpPeer(join(top, 'root'), 'astro', 'ftp-pass-123', top, join(top, 'both.pem'));
  });
  afterAll(async () => ftp?.stop());

  // Logins only: pyftpdlib 1.5.7's TLS data connections are reset here for every client tried
  // (basic-ftp, curl --tls-max 1.2), listings and files alike, most of the time. Transfers
  // over TLS are tested against vsftpd below (docs/plugins/datasources.md).
  it('refuses a certificate nobody trusts, with the reason', async () => {
    const r = await runWorkerForTest(ftpType({}), { url: `ftps://127.0.0.1:${ftp.port}/a.fits`, username: 'astro', password: 'ftp-pass-123' }, { ownerId: 'a' });
    expect(r.phase).toBe('ERROR');
    expect(r.error).toMatch(/cannot log in to 127\.0\.0\.1:\d+: .*(self[- ]signed|certificate)/i);
  });

  it('a server that requires TLS refuses a clear-text login clearly', async () => {
    const r = await runWorkerForTest(ftpType({}), { url: `ftp://127.0.0.1:${ftp.port}/a.fits`, username: 'astro', password: 'ftp-pass-123' }, { ownerId: 'a' });
    expect(r.phase).toBe('ERROR');
    expect(r.error).toMatch(/cannot log in .*FTP (5\d\d|4\d\d)/);
  });
});

/** Files below `dir`, relative, sorted. */
function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), base) : [join(dir, e.name).slice(base.length + 1)]))
    .sort();
}

describe.skipIf(!needPeer(vsftpdPeer(), 'FTPS transfers (vsftpd)'))('FTPS transfers from vsftpd', () => {
  let ftp: VsftpdPeer;
  let caFile: string;
  const tree: Record<string, Buffer> = { 'a.fits': CALSPEC, 'b.fits': ALFALFA, 'sub/c.fits': ALFALFA, 'sub/deeper/d.fits': CALSPEC };

  beforeAll(async () => {
    const top = mkdtempSync(join(tmpdir(), 'ds-vsftpd-'));
    const root = join(top, 'root');
    mkdirSync(join(root, 'spectra', 'sub', 'deeper'), { recursive: true });
    for (const [name, bytes] of Object.entries(tree)) writeFileSync(join(root, 'spectra', name), bytes);
    writeFileSync(join(root, 'spectra', 'sub', 'notes.txt'), 'observing log');
    const certs = makeTestCertificates(top);
    caFile = certs.caFile;
    // vsftpd reads the tree as the user `ftp`, chrooted into root/
    chmodSync(top, 0o755);
    ftp = await startVsftpdPeer({ root, certFile: certs.certFile, keyFile: certs.keyFile, dir: top });
  });
  afterAll(async () => ftp?.stop());

  it('imports a tree of FITS files recursively over TLS, byte for byte, when the CA is trusted', async () => {
    const storageRoot = mkdtempSync(join(tmpdir(), 'ds-vsftpd-store-'));
    const r = await runWorkerForTest(ftpType({ trustedCertificates: [caFile] }), { url: `${ftp.url}/spectra/`, recursive: true, include: ['**/*.fits'], target: '~/ftps' }, { ownerId: 'a', storageRoot });
    expect(r.error).toBeUndefined();
    expect(r.phase).toBe('COMPLETED');
    const home = join(storageRoot, 'home', 'ftps');
    expect(filesUnder(home).filter((f) => !f.endsWith('.provenance.json'))).toEqual(Object.keys(tree));
    for (const [name, bytes] of Object.entries(tree)) {
      expect(sha(readFileSync(join(home, name))), name).toBe(sha(bytes));
      expect(JSON.parse(readFileSync(join(home, `${name}.provenance.json`), 'utf8'))).toMatchObject({ source: `${ftp.url}/spectra/${name}`, size: bytes.length, sha256: sha(bytes) });
    }
    const rows = manifestRows(readFileSync(r.results.find((x) => x.name === 'manifest.csv')!.path, 'utf8'));
    const done = rows.filter((row) => row.state === 'done').sort((x, y) => x.file.localeCompare(y.file));
    expect(done).toEqual(Object.entries(tree).map(([name, bytes]) => ({ url: `${ftp.url}/spectra/${name}`, file: `~/ftps/${name}`, size: String(bytes.length), state: 'done', error: '' })));
    expect(rows.filter((row) => row.state !== 'done' && row.state !== 'skipped')).toEqual([]);
  });

  it('the server requires TLS: the same import over clear-text FTP is refused at the login', async () => {
    const r = await runWorkerForTest(ftpType({}), { url: `ftp://127.0.0.1:${ftp.port}/spectra/`, recursive: true }, { ownerId: 'a' });
    expect(r.phase).toBe('ERROR');
    expect(r.error).toMatch(/cannot log in to 127\.0\.0\.1:\d+: FTP 530 Anonymous sessions must use encryption/);
  });

  it('refuses the server when its CA is not trusted, with the reason, and stores nothing', async () => {
    const storageRoot = mkdtempSync(join(tmpdir(), 'ds-vsftpd-store-'));
    const r = await runWorkerForTest(ftpType({}), { url: `${ftp.url}/spectra/`, recursive: true, target: '~/ftps' }, { ownerId: 'a', storageRoot });
    expect(r.phase).toBe('ERROR');
    expect(r.error).toMatch(/cannot log in to 127\.0\.0\.1:\d+: .*unable to verify the first certificate: the server's TLS certificate is not trusted here; .*trustedCertificates/i);
    expect(filesUnder(storageRoot)).toEqual([]);
  });
});
