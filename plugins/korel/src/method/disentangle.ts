import { forwardReal, type HalfSpectrum } from './fourier.js';

/**
 * Fourier disentangling (Hadrava 1995): for every Fourier mode k the spectra of all exposures
 * satisfy F_l(k) = Σ_j a_jl · e^{−2πi k v_jl/(dv·n)} · X_j(k), where X_j are the component
 * spectra, a_jl line-strength factors and v_jl radial velocities. Given the velocities, the
 * weighted least-squares X_j of each mode follow from an nf×nf complex Hermitian system, with
 * components known from templates moved to the right-hand side. The cost is the weighted sum of
 * squared residuals over the modes above the `ifil` cut, in data units (Parseval).
 */

/** The spectra of one region (same λ0 and dv), Fourier transformed once. */
export interface RegionData {
  readonly lambda0: number;
  readonly dv: number;
  /** Bins per spectrum (a power of two). */
  readonly n: number;
  /** Fourier modes kept: n/2 + 1 (0 .. Nyquist). */
  readonly modes: number;
  /** Global exposure indices of the region's spectra, in file order. */
  readonly exposures: Int32Array;
  /** Transforms of the mean-subtracted spectra: [i * modes + k] for the i-th exposure here. */
  readonly re: Float64Array;
  readonly im: Float64Array;
  /** Mean of each spectrum (mode 0, which disentangling cannot split between components). */
  readonly mean: Float64Array;
}

export interface SpectrumRecord {
  readonly lambda0: number;
  readonly dv: number;
  readonly values: Float64Array;
}

/** Group spectra into regions by their exact (λ0, dv), as KOREL does, and transform each. */
export function prepareRegions(records: readonly SpectrumRecord[]): RegionData[] {
  const groups = new Map<string, number[]>();
  records.forEach((r, i) => {
    const key = `${r.lambda0} ${r.dv}`;
    const g = groups.get(key) ?? [];
    g.push(i);
    groups.set(key, g);
  });
  const regions: RegionData[] = [];
  for (const idx of groups.values()) {
    const first = records[idx[0]!]!;
    const n = first.values.length;
    const modes = n / 2 + 1;
    const re = new Float64Array(idx.length * modes);
    const im = new Float64Array(idx.length * modes);
    const mean = new Float64Array(idx.length);
    idx.forEach((e, i) => {
      const v = records[e]!.values;
      let s = 0;
      for (let b = 0; b < n; b++) s += v[b]!;
      mean[i] = s / n;
      const centred = new Float64Array(n);
      for (let b = 0; b < n; b++) centred[b] = v[b]! - mean[i]!;
      forwardReal(centred, re, im, i * modes);
    });
    regions.push({ lambda0: first.lambda0, dv: first.dv, n, modes, exposures: Int32Array.from(idx), re, im, mean });
  }
  return regions;
}

export interface DisentanglerSetup {
  readonly regions: readonly RegionData[];
  /** Components of the model (present stars, in star order). */
  readonly components: number;
  /** First mode that is solved and counted: ifil + 1. */
  readonly firstMode: number;
  /** Known spectra: templates[region][component] (transform of the template), or null. */
  readonly templates: readonly (readonly (HalfSpectrum | null)[])[];
}

// Phases are advanced by complex multiplication along k and re-seeded exactly this often, which
// bounds the rounding drift to ~1e-14 while needing only a few sin/cos per exposure.
const RESEED = 64;

/** Relative size under which a mode's normal matrix counts as singular (its X is left at 0). */
const SINGULAR = 1e-12;

export class Disentangler {
  private readonly regions: readonly RegionData[];
  private readonly nc: number;
  private readonly k0: number;
  private readonly templates: readonly (readonly (HalfSpectrum | null)[])[];
  /** Per region: indices of the solved (free) components and of the template ones. */
  private readonly free: Int32Array[];
  private readonly fixed: Int32Array[];
  private readonly acc: Float64Array[];
  private readonly solved: HalfSpectrum[][];
  // scratch
  private readonly pr = new Float64Array(8);
  private readonly pi = new Float64Array(8);
  private readonly sr = new Float64Array(8);
  private readonly si = new Float64Array(8);
  private readonly th = new Float64Array(8);
  private readonly am = new Float64Array(8);
  private readonly diag = new Float64Array(8);

  constructor(setup: DisentanglerSetup) {
    this.regions = setup.regions;
    this.nc = setup.components;
    this.k0 = Math.max(1, setup.firstMode);
    this.templates = setup.templates;
    this.free = [];
    this.fixed = [];
    this.acc = [];
    this.solved = [];
    setup.regions.forEach((r, ri) => {
      const f: number[] = [];
      const x: number[] = [];
      for (let c = 0; c < this.nc; c++) (setup.templates[ri]?.[c] ? x : f).push(c);
      this.free.push(Int32Array.from(f));
      this.fixed.push(Int32Array.from(x));
      this.acc.push(new Float64Array(r.modes * this.stride(f.length)));
      this.solved.push(Array.from({ length: this.nc }, () => ({ re: new Float64Array(r.modes), im: new Float64Array(r.modes) })));
    });
  }

  /** Accumulator layout per mode: E, then b (nf complex), then A (nf×nf complex, upper part used). */
  private stride(nf: number): number {
    return 1 + 2 * nf + 2 * nf * nf;
  }

  /**
   * The cost for radial velocities vel[c][e] (km/s) and line-strength factors amp[c][e]
   * (linear) of component c in exposure e, with exposure weights w[e]. With `keep` the
   * component spectra are stored for spectra().
   */
  evaluate(vel: readonly Float64Array[], amp: readonly Float64Array[], w: Float64Array, keep = false): number {
    let cost = 0;
    for (let ri = 0; ri < this.regions.length; ri++) {
      const nf = this.free[ri]!.length;
      cost += nf === 2 && this.fixed[ri]!.length === 0 ? this.twoComponents(ri, vel, amp, w, keep) : this.general(ri, vel, amp, w, keep);
    }
    return cost;
  }

  /** Component spectra of the last evaluate(…, true): [region][component], modes 0..n/2. */
  spectra(): readonly (readonly HalfSpectrum[])[] {
    return this.solved;
  }

  /** The common case, two components and no template, unrolled: it is the inner loop of every fit. */
  private twoComponents(ri: number, vel: readonly Float64Array[], amp: readonly Float64Array[], w: Float64Array, keep: boolean): number {
    const r = this.regions[ri]!;
    const M = r.modes;
    const k0 = this.k0;
    const [c1, c2] = this.free[ri]! as unknown as [number, number];
    const acc = this.acc[ri]!;
    // layout for nf = 2 (stride 13): E, b1r, b1i, b2r, b2i, then A12 at A[0][1] = offset 5 + 2
    acc.fill(0);
    const F = r.re;
    const G = r.im;
    const scale = (-2 * Math.PI) / r.n / r.dv;
    let a11 = 0;
    let a22 = 0;
    for (let i = 0; i < r.exposures.length; i++) {
      const e = r.exposures[i]!;
      const we = w[e]!;
      if (we === 0) continue;
      const s1 = amp[c1]![e]!;
      const s2 = amp[c2]![e]!;
      a11 += we * s1 * s1;
      a22 += we * s2 * s2;
      const t1 = scale * vel[c1]![e]!;
      const t2 = scale * vel[c2]![e]!;
      const st1r = Math.cos(t1), st1i = Math.sin(t1);
      const st2r = Math.cos(t2), st2i = Math.sin(t2);
      const w1 = we * s1, w2 = we * s2, w12 = we * s1 * s2;
      const row = i * M;
      let p1r = 0, p1i = 0, p2r = 0, p2i = 0;
      for (let k = k0; k < M; k++) {
        if ((k - k0) % RESEED === 0) {
          p1r = Math.cos(t1 * k); p1i = Math.sin(t1 * k);
          p2r = Math.cos(t2 * k); p2i = Math.sin(t2 * k);
        }
        const fr = F[row + k]!, fi = G[row + k]!;
        const o = k * 13;
        // b_j += w a_j conj(p_j) F ; A12 += w a1 a2 conj(p1) p2
        acc[o + 1] += w1 * (p1r * fr + p1i * fi);
        acc[o + 2] += w1 * (p1r * fi - p1i * fr);
        acc[o + 3] += w2 * (p2r * fr + p2i * fi);
        acc[o + 4] += w2 * (p2r * fi - p2i * fr);
        acc[o + 7] += w12 * (p1r * p2r + p1i * p2i);
        acc[o + 8] += w12 * (p1r * p2i - p1i * p2r);
        let x = p1r * st1r - p1i * st1i;
        p1i = p1r * st1i + p1i * st1r;
        p1r = x;
        x = p2r * st2r - p2i * st2i;
        p2i = p2r * st2i + p2i * st2r;
        p2r = x;
      }
    }
    const energy = this.energy(ri, w);
    const X1 = this.solved[ri]![c1]!;
    const X2 = this.solved[ri]![c2]!;
    let cost = 0;
    const half = r.n / 2;
    for (let k = k0; k < M; k++) {
      const o = k * 13;
      const b1r = acc[o + 1]!, b1i = acc[o + 2]!, b2r = acc[o + 3]!, b2i = acc[o + 4]!;
      const a12r = acc[o + 7]!, a12i = acc[o + 8]!;
      const det = a11 * a22 - (a12r * a12r + a12i * a12i);
      let res = energy[k]!;
      let x1r = 0, x1i = 0, x2r = 0, x2i = 0;
      if (det > SINGULAR * a11 * a22) {
        // X1 = (a22 b1 − a12 b2)/det ; X2 = (a11 b2 − conj(a12) b1)/det
        x1r = (a22 * b1r - (a12r * b2r - a12i * b2i)) / det;
        x1i = (a22 * b1i - (a12r * b2i + a12i * b2r)) / det;
        x2r = (a11 * b2r - (a12r * b1r + a12i * b1i)) / det;
        x2i = (a11 * b2i - (a12r * b1i - a12i * b1r)) / det;
        res -= b1r * x1r + b1i * x1i + b2r * x2r + b2i * x2i;
      }
      cost += (k === half ? 1 : 2) * res;
      if (keep) {
        X1.re[k] = x1r; X1.im[k] = x1i;
        X2.re[k] = x2r; X2.im[k] = x2i;
      }
    }
    if (keep) this.clearLowModes(ri);
    return cost / r.n;
  }

  private energyCache: { w: Float64Array; copy: Float64Array; per: Float64Array[] } | null = null;

  /** Σ_e w_e |F_e(k)|² per mode; depends on the weights only, so it is cached. */
  private energy(ri: number, w: Float64Array): Float64Array {
    const c = this.energyCache;
    if (!c || c.w !== w || !sameValues(c.copy, w)) {
      this.energyCache = {
        w,
        copy: Float64Array.from(w),
        per: this.regions.map((r) => {
          const E = new Float64Array(r.modes);
          for (let i = 0; i < r.exposures.length; i++) {
            const we = w[r.exposures[i]!]!;
            const row = i * r.modes;
            for (let k = 0; k < r.modes; k++) E[k] += we * (r.re[row + k]! ** 2 + r.im[row + k]! ** 2);
          }
          return E;
        }),
      };
    }
    return this.energyCache!.per[ri]!;
  }

  /** Any number of free components, with template components on the right-hand side. */
  private general(ri: number, vel: readonly Float64Array[], amp: readonly Float64Array[], w: Float64Array, keep: boolean): number {
    const r = this.regions[ri]!;
    const M = r.modes;
    const k0 = this.k0;
    const free = this.free[ri]!;
    const fixed = this.fixed[ri]!;
    const nf = free.length;
    const nt = fixed.length;
    const S = this.stride(nf);
    const acc = this.acc[ri]!;
    acc.fill(0);
    const tmpl = this.templates[ri]!;
    const { pr, pi, sr, si, th, am, diag } = this;
    diag.fill(0);
    const scale = (-2 * Math.PI) / r.n / r.dv;
    for (let i = 0; i < r.exposures.length; i++) {
      const e = r.exposures[i]!;
      const we = w[e]!;
      if (we === 0) continue;
      for (let c = 0; c < this.nc; c++) {
        th[c] = scale * vel[c]![e]!;
        sr[c] = Math.cos(th[c]!);
        si[c] = Math.sin(th[c]!);
        am[c] = amp[c]![e]!;
      }
      for (let j = 0; j < nf; j++) diag[j] += we * am[free[j]!]! ** 2;
      const row = i * M;
      for (let k = k0; k < M; k++) {
        if ((k - k0) % RESEED === 0) {
          for (let c = 0; c < this.nc; c++) {
            pr[c] = Math.cos(th[c]! * k);
            pi[c] = Math.sin(th[c]! * k);
          }
        }
        let fr = r.re[row + k]!;
        let fi = r.im[row + k]!;
        for (let t = 0; t < nt; t++) {
          const c = fixed[t]!;
          const T = tmpl[c]!;
          const qr = am[c]! * pr[c]!, qi = am[c]! * pi[c]!;
          fr -= qr * T.re[k]! - qi * T.im[k]!;
          fi -= qr * T.im[k]! + qi * T.re[k]!;
        }
        const o = k * S;
        acc[o] += we * (fr * fr + fi * fi);
        for (let j = 0; j < nf; j++) {
          const c = free[j]!;
          const qr = am[c]! * pr[c]!, qi = am[c]! * pi[c]!;
          acc[o + 1 + 2 * j] += we * (qr * fr + qi * fi);
          acc[o + 2 + 2 * j] += we * (qr * fi - qi * fr);
          for (let m = j + 1; m < nf; m++) {
            const d = free[m]!;
            const ur = am[d]! * pr[d]!, ui = am[d]! * pi[d]!;
            const a = o + 1 + 2 * nf + 2 * (j * nf + m);
            acc[a] += we * (qr * ur + qi * ui);
            acc[a + 1] += we * (qr * ui - qi * ur);
          }
        }
        for (let c = 0; c < this.nc; c++) {
          const x = pr[c]! * sr[c]! - pi[c]! * si[c]!;
          pi[c] = pr[c]! * si[c]! + pi[c]! * sr[c]!;
          pr[c] = x;
        }
      }
    }
    let cost = 0;
    const half = r.n / 2;
    const Ar = new Float64Array(nf * nf);
    const Ai = new Float64Array(nf * nf);
    const xr = new Float64Array(nf);
    const xi = new Float64Array(nf);
    for (let k = k0; k < M; k++) {
      const o = k * S;
      let res = acc[o]!;
      if (nf > 0) {
        for (let j = 0; j < nf; j++) {
          Ar[j * nf + j] = diag[j]!;
          Ai[j * nf + j] = 0;
          xr[j] = acc[o + 1 + 2 * j]!;
          xi[j] = acc[o + 2 + 2 * j]!;
          for (let m = j + 1; m < nf; m++) {
            const a = o + 1 + 2 * nf + 2 * (j * nf + m);
            Ar[j * nf + m] = acc[a]!;
            Ai[j * nf + m] = acc[a + 1]!;
            Ar[m * nf + j] = acc[a]!;
            Ai[m * nf + j] = -acc[a + 1]!;
          }
        }
        if (solveComplex(nf, Ar, Ai, xr, xi, diag)) {
          for (let j = 0; j < nf; j++) res -= acc[o + 1 + 2 * j]! * xr[j]! + acc[o + 2 + 2 * j]! * xi[j]!;
        } else {
          xr.fill(0);
          xi.fill(0);
        }
      }
      cost += (k === half ? 1 : 2) * res;
      if (keep) {
        for (let j = 0; j < nf; j++) {
          const X = this.solved[ri]![free[j]!]!;
          X.re[k] = xr[j]!;
          X.im[k] = xi[j]!;
        }
      }
    }
    if (keep) {
      for (let t = 0; t < nt; t++) {
        const c = fixed[t]!;
        this.solved[ri]![c]!.re.set(tmpl[c]!.re);
        this.solved[ri]![c]!.im.set(tmpl[c]!.im);
      }
      this.clearLowModes(ri);
    }
    return cost / r.n;
  }

  /** Modes 0..ifil are not determined by the fit: the output spectra carry none of them. */
  private clearLowModes(ri: number): void {
    for (const X of this.solved[ri]!) {
      X.re.fill(0, 0, this.k0);
      X.im.fill(0, 0, this.k0);
    }
  }
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Solve the complex n×n system A x = b in place (b in xr/xi) by Gaussian elimination with
 * partial pivoting; false when a pivot is negligible against the diagonal scale (singular mode).
 */
export function solveComplex(n: number, Ar: Float64Array, Ai: Float64Array, xr: Float64Array, xi: Float64Array, diag: Float64Array): boolean {
  let scale = 0;
  for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(diag[j]!));
  if (!(scale > 0)) return false;
  for (let col = 0; col < n; col++) {
    let best = col;
    let bestMag = -1;
    for (let row = col; row < n; row++) {
      const m = Ar[row * n + col]! ** 2 + Ai[row * n + col]! ** 2;
      if (m > bestMag) {
        bestMag = m;
        best = row;
      }
    }
    if (!(Math.sqrt(bestMag) > SINGULAR * scale)) return false;
    if (best !== col) {
      for (let c = 0; c < n; c++) {
        swap(Ar, best * n + c, col * n + c);
        swap(Ai, best * n + c, col * n + c);
      }
      swap(xr, best, col);
      swap(xi, best, col);
    }
    const pr = Ar[col * n + col]!, pi = Ai[col * n + col]!;
    const pm = pr * pr + pi * pi;
    for (let row = col + 1; row < n; row++) {
      // f = A[row][col] / pivot
      const ar = Ar[row * n + col]!, ai = Ai[row * n + col]!;
      const fr = (ar * pr + ai * pi) / pm;
      const fi = (ai * pr - ar * pi) / pm;
      for (let c = col; c < n; c++) {
        const br = Ar[col * n + c]!, bi = Ai[col * n + c]!;
        Ar[row * n + c] -= fr * br - fi * bi;
        Ai[row * n + c] -= fr * bi + fi * br;
      }
      const br = xr[col]!, bi = xi[col]!;
      xr[row] -= fr * br - fi * bi;
      xi[row] -= fr * bi + fi * br;
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    let sr = xr[row]!, si = xi[row]!;
    for (let c = row + 1; c < n; c++) {
      const ar = Ar[row * n + c]!, ai = Ai[row * n + c]!;
      sr -= ar * xr[c]! - ai * xi[c]!;
      si -= ar * xi[c]! + ai * xr[c]!;
    }
    const pr = Ar[row * n + row]!, pi = Ai[row * n + row]!;
    const pm = pr * pr + pi * pi;
    xr[row] = (sr * pr + si * pi) / pm;
    xi[row] = (si * pr - sr * pi) / pm;
  }
  return true;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
