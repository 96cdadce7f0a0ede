import FFT from 'fft.js';

// fft.js (radix-4, float64) plans are reusable; one per length.
const plans = new Map<number, FFT>();
function plan(n: number): FFT {
  let p = plans.get(n);
  if (!p) {
    p = new FFT(n);
    plans.set(n, p);
  }
  return p;
}

/** The non-negative-frequency half of a real spectrum's transform: modes 0..n/2. */
export interface HalfSpectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/**
 * FFT of a real array of length n (a power of two), convention X_k = Σ x_i e^{−2πi k i / n}
 * (numpy's rfft): fills re/im (length n/2 + 1) from offset `at`.
 */
export function forwardReal(x: Float64Array, re: Float64Array, im: Float64Array, at = 0): void {
  const n = x.length;
  const f = plan(n);
  const out = f.createComplexArray() as number[];
  f.realTransform(out, x);
  for (let k = 0; k <= n / 2; k++) {
    re[at + k] = out[2 * k]!;
    im[at + k] = out[2 * k + 1]!;
  }
}

/** Inverse of forwardReal: the real array of length n whose half spectrum is (re, im) from `at`. */
export function inverseReal(re: Float64Array, im: Float64Array, n: number, at = 0): Float64Array {
  const f = plan(n);
  const full = f.createComplexArray() as number[];
  const h = n / 2;
  for (let k = 0; k <= h; k++) {
    full[2 * k] = re[at + k]!;
    full[2 * k + 1] = k === 0 || k === h ? 0 : im[at + k]!;
  }
  for (let k = 1; k < h; k++) {
    full[2 * (n - k)] = re[at + k]!;
    full[2 * (n - k) + 1] = -im[at + k]!;
  }
  const out = f.createComplexArray() as number[];
  f.inverseTransform(out, full);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = out[2 * i]!;
  return x;
}

/** Shift a real spectrum by `bins` (any real number) exactly, through the Fourier phase. */
export function shiftSpectrum(x: Float64Array, bins: number): Float64Array {
  const n = x.length;
  const m = n / 2 + 1;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  forwardReal(x, re, im);
  for (let k = 0; k < m; k++) {
    const th = (-2 * Math.PI * k * bins) / n;
    const c = Math.cos(th);
    const s = Math.sin(th);
    const r = re[k]! * c - im[k]! * s;
    im[k] = re[k]! * s + im[k]! * c;
    re[k] = r;
  }
  return inverseReal(re, im, n);
}
