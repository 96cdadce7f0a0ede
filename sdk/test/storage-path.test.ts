import { describe, expect, it } from 'vitest';
import { InvalidPathError, joinStoragePath, storageName, storagePath } from '@vocloud/sdk';

describe('storage paths are safe by construction', () => {
  it('accepts ordinary relative paths and normalises Unicode to NFC', () => {
    expect(storagePath('spectra/2026/a.fits')).toBe('spectra/2026/a.fits');
    expect(storagePath('')).toBe('');
    expect(storagePath('Ondr\u030Cejov.fits')).toBe('Ondřejov.fits');
    expect(joinStoragePath('jobs', 'abc', 'results')).toBe('jobs/abc/results');
  });

  const refused: [string, RegExp][] = [
    ['../etc/passwd', /not allowed as a name/],
    ['a/../../b', /not allowed as a name/],
    ['./a', /not allowed as a name/],
    ['/etc/passwd', /absolute/],
    ['a\u0000b', /NUL/],
    ['a\\..\\b', /backslash/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['a\u2215..\u2215b', /looks like a slash/],
    ['\uFF0E\uFF0E', /looks like a slash or dot/],
    ['x\u202Egnp.exe', /control/],
    ['tab\there', /control/],
    [' lead', /white space/],
    ['x'.repeat(256), /longer than 255 bytes/],
    [Array.from({ length: 40 }, () => 'y'.repeat(120)).join('/'), /longer than 4096 bytes/],
  ];
  for (const [path, why] of refused) {
    it(`refuses ${JSON.stringify(path.slice(0, 40))}`, () => {
      expect(() => storagePath(path)).toThrow(InvalidPathError);
      expect(() => storagePath(path)).toThrow(why);
    });
  }

  it('a name cannot contain a slash', () => {
    expect(() => storageName('a/b')).toThrow(/cannot contain/);
  });

  // Plain ASCII names take a short path (one regular expression); it must decide exactly as the
  // rules do. The rules, restated for ASCII: not empty, not '.' or '..', no '/' or '\\', no
  // control character, no white space at either end, at most 255 bytes.
  it('decides every ASCII name as the rules say', () => {
    const allowed = (n: string): boolean =>
      n.length > 0 && n.length <= 255 && n !== '.' && n !== '..' && !/[/\\\x00-\x1f\x7f]/.test(n) && n.trim() === n;
    const alphabet = [' ', '.', '/', '\\', '\t', '\x7f', 'a', 'Z', '0', '~', '[', ']', '-', '!'];
    let seed = 7;
    const next = (k: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % k);
    const names = ['', '.', '..', '...', ' ', 'a', ' a', 'a ', 'a b', '.a', 'a.', '~', 'x'.repeat(255), 'x'.repeat(256)];
    for (let i = 0; i < 5000; i++) names.push(Array.from({ length: 1 + next(6) }, () => alphabet[next(alphabet.length)]).join(''));
    for (const n of names) {
      if (allowed(n)) expect(storageName(n), JSON.stringify(n)).toBe(n);
      else expect(() => storageName(n), JSON.stringify(n)).toThrow(InvalidPathError);
    }
  });
});
