import { describe, expect, it } from 'vitest';
import { storageName } from '@vocloud/sdk';
import { decodeNameBytes, decodeUrlSegment, dispositionFileName, nameForFormat, numberedName, percentBytes, safeName } from '../src/common/names.js';

describe('remote names become one safe storage name', () => {
  it('path traversal in a name stays one name inside the folder', () => {
    for (const hostile of ['../../etc/passwd', 'a/../../b', '..', '.', '/etc/passwd', '..\\..\\boot.ini', 'a/b/c']) {
      const n = safeName(hostile);
      expect(n).not.toContain('/');
      expect(n).not.toContain('\\');
      expect(n === '.' || n === '..').toBe(false);
      expect(n.startsWith('.')).toBe(false);
      expect(() => storageName(n)).not.toThrow();
    }
    expect(safeName('../../etc/passwd')).toBe('___.._etc_passwd');
    expect(safeName('a/../../b')).toBe('a_.._.._b');
  });

  it('control, bidi and look-alike characters are replaced', () => {
    expect(safeName('a\u0000b\nc.fits')).toBe('a_b_c.fits');
    expect(safeName('evil\u202Estif.exe')).toBe('evil_stif.exe');
    expect(safeName('a\u2215b')).toBe('a_b');
  });

  it('names core treats as writes in progress, and our sidecars, are renamed', () => {
    expect(safeName('x.part-123')).toBe('x_part-123');
    expect(safeName('spec.fits.provenance.json')).toBe('spec.fits.provenance-remote.json');
    expect(safeName('.hidden')).toBe('_hidden');
  });

  it('empty and over-long names get a usable name with the extension kept', () => {
    expect(safeName('')).toBe('file');
    expect(safeName('   ')).toBe('file');
    const long = `${'ž'.repeat(300)}.fits.gz`;
    const n = safeName(long);
    expect(Buffer.byteLength(n)).toBeLessThanOrEqual(200);
    expect(n.endsWith('.fits.gz')).toBe(true);
  });

  it('duplicates are numbered before the extension', () => {
    expect(numberedName('a.fits', 1)).toBe('a (1).fits');
    expect(numberedName('a.fits.gz', 2)).toBe('a (2).fits.gz');
    expect(numberedName('README', 1)).toBe('README (1)');
    expect(numberedName('s.vot.xml', 1)).toBe('s (1).vot.xml');
  });

  it('non-UTF-8 bytes in URLs are read as Latin-1, UTF-8 as UTF-8', () => {
    expect(decodeUrlSegment('caf%E9.fits')).toBe('café.fits');
    expect(decodeUrlSegment('caf%C3%A9.fits')).toBe('café.fits');
    expect(decodeUrlSegment('%2E%2E%2F%2E%2E%2Fetc%2Fpasswd')).toBe('../../etc/passwd');
  });

  it('a segment with nothing encoded (the short path) decodes as the byte-wise decoding does', () => {
    const alphabet = ['a', 'Z', '0', ' ', '.', '~', '+', '%', '%2F', '%e9', '%C3%A9', '\u00e9', '\t', '/', '%%', '%4'];
    let seed = 11;
    const next = (k: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % k);
    for (let i = 0; i < 3000; i++) {
      const s = Array.from({ length: 1 + next(5) }, () => alphabet[next(alphabet.length)]).join('');
      expect(decodeUrlSegment(s), JSON.stringify(s)).toBe(decodeNameBytes(percentBytes(s)));
    }
  });

  it('Content-Disposition names keep only their last segment', () => {
    expect(dispositionFileName('attachment; filename="../../x.fits"')).toBe('x.fits');
    expect(dispositionFileName("attachment; filename*=UTF-8''spe%C4%8Dtrum.fits")).toBe('speČtrum.fits'.replace('Č', 'č'));
    expect(dispositionFileName('inline')).toBe('');
  });
});

describe('a dataset named after its URL keeps the extension of its declared format', () => {
  it('a data format other than the URL\'s own takes its extension', () => {
    expect(nameForFormat('spec0.fits', 'application/x-votable+xml')).toBe('spec0.vot.xml');
    expect(nameForFormat('spec0.vot', 'image/fits')).toBe('spec0.fits');
    expect(nameForFormat('spec0.fits', 'application/x-votable+xml;content=datalink')).toBe('spec0.datalink.vot.xml');
    expect(nameForFormat('table.csv', 'text/tab-separated-values')).toBe('table.tsv');
  });

  it('the same family, an unknown or generic type, and compressed names stay as they are', () => {
    expect(nameForFormat('spec0.fit', 'image/fits')).toBe('spec0.fit');
    expect(nameForFormat('spec0.xml', 'application/x-votable+xml')).toBe('spec0.xml');
    expect(nameForFormat('spec0.fits', 'application/octet-stream')).toBe('spec0.fits');
    expect(nameForFormat('spec0.fits', 'text/xml')).toBe('spec0.fits');
    expect(nameForFormat('spec0.fits', undefined)).toBe('spec0.fits');
    expect(nameForFormat('spec0.fits.gz', 'image/fits')).toBe('spec0.fits.gz');
    expect(nameForFormat('spec0.dat', 'image/fits')).toBe('spec0.dat');
  });
});
