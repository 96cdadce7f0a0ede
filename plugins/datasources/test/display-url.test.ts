import { describe, expect, it } from 'vitest';
import { displayHref, displayUrl } from '../src/net/http.js';

/* URLs shown in manifests, sidecars and messages never carry credentials. */
describe('display URLs', () => {
  it('a parsed URL without user info is shown as it is', () => {
    const u = new URL('http://example.org/data/night%201/spec.fits');
    expect(displayHref(u)).toBe('http://example.org/data/night%201/spec.fits');
  });

  it('user info is removed from parsed URLs and from strings', () => {
    expect(displayHref(new URL('https://alice:s3cret@example.org/a.fits'))).toBe('https://example.org/a.fits');
    expect(displayHref(new URL('ftp://alice@example.org/a.fits'))).toBe('ftp://example.org/a.fits');
    expect(displayUrl('https://alice:s3cret@example.org/a.fits?x=1')).toBe('https://example.org/a.fits?x=1');
  });

  it('a string that is not a URL is shown unchanged', () => {
    expect(displayUrl('not a url')).toBe('not a url');
  });
});
