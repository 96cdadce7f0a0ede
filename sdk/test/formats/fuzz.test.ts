/**
 * Mutated real files: every outcome must be a value or a FormatError (FitsError, VoTableError,
 * SpectrumError) — never another exception, a hang or a crash. Deterministic seed, bounded
 * count and time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError, readFits, readSpectrum, readVoTable, writeFits } from '../../src/formats/index.js';
import { REAL } from './support.js';

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIGITS = '0123456789-+.E ';

function mutate(src: Uint8Array, r: () => number, textual: boolean): Uint8Array {
  const b = src.slice();
  const kind = Math.floor(r() * 6);
  const at = (): number => Math.floor(r() * b.length);
  switch (kind) {
    case 0: // truncate
      return b.subarray(0, at());
    case 1: // flip random bytes
      for (let i = 0; i < 1 + r() * 8; i++) b[at()] = Math.floor(r() * 256);
      return b;
    case 2: // overwrite digits inside header/text (numbers are what readers trust most)
      for (let i = 0; i < 1 + r() * 6; i++) {
        const p = textual ? at() : Math.floor(r() * Math.min(b.length, 2880 * 3));
        b[p] = DIGITS.charCodeAt(Math.floor(r() * DIGITS.length));
      }
      return b;
    case 3: {
      // duplicate a slice somewhere else
      const p = at();
      const q = at();
      const n = Math.floor(r() * 200);
      b.set(src.subarray(p, Math.min(src.length, p + n)).subarray(0, Math.max(0, b.length - q)), q);
      return b;
    }
    case 4: {
      // delete a slice
      const p = at();
      const n = Math.floor(r() * 400);
      const out = new Uint8Array(b.length - Math.min(n, b.length - p));
      out.set(b.subarray(0, p));
      out.set(b.subarray(p + n), p);
      return out;
    }
    default: // a big number in a random place of the first header block(s) or text
      {
        const s = ['99999999999', '-1', '0', '1e308', '2147483648', "'", '&', '<', '>'][Math.floor(r() * 9)];
        const p = textual ? at() : Math.floor(r() * Math.min(b.length, 2880 * 2));
        for (let i = 0; i < s.length && p + i < b.length; i++) b[p + i] = s.charCodeAt(i);
      }
      return b;
  }
}

/** Touch every part of a FITS file so lazy decoding runs too. */
function exerciseFits(b: Uint8Array): void {
  const f = readFits(b);
  for (const h of f.hdus) {
    if (h.type === 'image' && h.hasImage) h.image();
    if (h.type === 'bintable' || h.type === 'table') {
      const t = h.table();
      for (const c of t.columns) t.column(c.number - 1);
    }
  }
}

function check(fn: () => void, label: string, failures: string[]): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof FormatError)) failures.push(`${label}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
}

// A file with image, scaled image, all table kinds and a heap, made by our writer.
const synthetic = writeFits([
  { kind: 'image', data: Int16Array.from({ length: 300 }, (_, i) => i - 150), shape: [30, 10], header: { BSCALE: 1, OBJECT: 'fuzz', CRVAL1: 4000, CDELT1: 1 } },
  {
    kind: 'bintable',
    columns: [
      { name: 'wave', data: Float64Array.from({ length: 40 }, (_, i) => 4000 + i) },
      { name: 'flux', data: Float32Array.from({ length: 40 }, (_, i) => i) },
      { name: 'vla', data: Array.from({ length: 40 }, (_, i) => Int32Array.from({ length: i % 5 }, (_, k) => k)) },
      { name: 's', data: Array.from({ length: 40 }, (_, i) => `row${i}`) },
    ],
  },
]);

const CASES: { name: string; bytes: Uint8Array; textual: boolean; run: (b: Uint8Array) => void }[] = [
  { name: 'calspec FITS', bytes: readFileSync(join(REAL, 'calspec-grw70d5824-bintable.fits')), textual: false, run: exerciseFits },
  { name: 'alfalfa FITS', bytes: readFileSync(join(REAL, 'alfalfa-hi-vector-columns.fits')), textual: false, run: exerciseFits },
  { name: 'synthetic FITS', bytes: synthetic, textual: false, run: exerciseFits },
  { name: 'gzip FITS', bytes: gzipSync(synthetic), textual: false, run: exerciseFits },
  { name: 'SSAP VOTable', bytes: readFileSync(join(REAL, 'ssap-sdss-dr6-result.vot.xml')), textual: true, run: (b) => void readVoTable(b) },
  { name: 'DataLink VOTable', bytes: readFileSync(join(REAL, 'datalink-ssa.vot.xml')), textual: true, run: (b) => void readVoTable(b) },
  { name: 'CSV spectrum', bytes: readFileSync(join(REAL, 'oac-sn-spectrum.csv')), textual: true, run: (b) => void readSpectrum(b) },
  { name: 'FITS spectrum', bytes: readFileSync(join(REAL, 'calspec-grw70d5824-bintable.fits')), textual: false, run: (b) => void readSpectrum(b) },
];

describe('fuzzing the readers with mutated real files', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: 250 mutations end in a value or a FormatError', (_n, c) => {
    // The unmutated file must read: otherwise the fuzz proves nothing.
    c.run(c.bytes);
    const r = rng(0xc0ffee ^ c.name.length * 7919);
    const failures: string[] = [];
    const deadline = Date.now() + 15_000;
    let n = 0;
    for (; n < 250 && Date.now() < deadline; n++) {
      const m = mutate(c.bytes, r, c.textual);
      check(() => c.run(m), `${c.name} #${n}`, failures);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(n).toBeGreaterThan(50);
  });
});
