/**
 * The portable kernel in plain JavaScript: always available, about 50x slower than the native
 * one. Dot products run four units at a time so that each loaded x value is used four times.
 */
import type { ComputeBackend } from './backend.js';
import { neighbourhood, NEIGHBOURHOOD_KINDS } from './neighbourhood.js';

function bmu(x: Float32Array, n0: number, n1: number, d: number, w: Float32Array, w2: Float32Array, k: number,
  out: Int32Array, score: Float32Array | null, second: Int32Array | null): void {
  const s = new Float32Array(k);
  for (let i = n0; i < n1; i++) {
    const xo = i * d;
    let u = 0;
    for (; u + 4 <= k; u += 4) {
      const o0 = u * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let j = 0; j < d; j++) {
        const xv = x[xo + j]!;
        a0 += xv * w[o0 + j]!;
        a1 += xv * w[o1 + j]!;
        a2 += xv * w[o2 + j]!;
        a3 += xv * w[o3 + j]!;
      }
      s[u] = w2[u]! - 2 * a0; s[u + 1] = w2[u + 1]! - 2 * a1;
      s[u + 2] = w2[u + 2]! - 2 * a2; s[u + 3] = w2[u + 3]! - 2 * a3;
    }
    for (; u < k; u++) {
      const o = u * d;
      let a = 0;
      for (let j = 0; j < d; j++) a += x[xo + j]! * w[o + j]!;
      s[u] = w2[u]! - 2 * a;
    }
    // ib starts at -1, so that a 1-unit map has no second-best unit (not unit 0 twice)
    let best = Infinity, next = Infinity, ib = -1, inx = -1;
    for (let u2 = 0; u2 < k; u2++) {
      const v = s[u2]!;
      if (v < best) { next = best; inx = ib; best = v; ib = u2; } else if (v < next) { next = v; inx = u2; }
    }
    out[i] = Math.max(ib, 0);
    if (score) score[i] = best;
    if (second) second[i] = inx;
  }
}

export const jsBackend: ComputeBackend = {
  name: 'js',
  label: 'js',
  packedLength: (k, d) => k * d,
  packWeights: (w, k, d, out) => out.set(w.subarray(0, k * d)),
  bmu,
  accumulate(x, n, d, j0, j1, b, s) {
    for (let i = 0; i < n; i++) {
      const so = b[i]! * d, xo = i * d;
      for (let j = j0; j < j1; j++) s[so + j] += x[xo + j]!;
    }
  },
  updateWeights(src, den, k, d, j0, j1, w) {
    for (let u = 0; u < k; u++) {
      const dn = den[u]!;
      if (!(dn > 1e-30)) continue; // a unit no sample pulls on keeps its weight
      const o = u * d;
      for (let j = j0; j < j1; j++) w[o + j] = src[o + j]! / dn;
    }
  },
  onlineSteps(x, d, order, w, w2, k, d2, kind, cosine, sigma, alpha) {
    const nb = NEIGHBOURHOOD_KINDS[kind]!;
    for (let t = 0; t < order.length; t++) {
      const xo = order[t]! * d;
      let best = Infinity, c = 0;
      for (let u = 0; u < k; u++) {
        const wo = u * d;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += x[xo + j]! * w[wo + j]!;
        const sc = cosine ? -dot / Math.sqrt(w2[u]! || 1) : w2[u]! - 2 * dot;
        if (sc < best) { best = sc; c = u; }
      }
      for (let u = 0; u < k; u++) {
        const f = alpha[t]! * neighbourhood(nb, d2[c * k + u]!, sigma[t]!);
        if (Math.abs(f) < 1e-7) continue;
        const wo = u * d;
        let s = 0;
        for (let j = 0; j < d; j++) {
          const v = w[wo + j]! + f * (x[xo + j]! - w[wo + j]!);
          w[wo + j] = v;
          s += v * v;
        }
        w2[u] = s;
      }
    }
  },
  neighbourProduct(h, s, k, d, k0, k1, out) {
    for (let r = k0; r < k1; r++) {
      const o = r * d;
      out.fill(0, o, o + d);
      for (let l = 0; l < k; l++) {
        const hl = h[r * k + l]!;
        if (hl === 0) continue;
        const so = l * d;
        for (let j = 0; j < d; j++) out[o + j] += hl * s[so + j]!;
      }
    }
  },
  separableProduct(hx, hy, s, nx, ny, d, j0, j1, tmp, out) {
    const w = j1 - j0;
    for (let a = 0; a < nx; a++) {
      for (let j = 0; j < ny; j++) {
        const t = (a * ny + j) * w;
        tmp.fill(0, t, t + w);
        for (let b = 0; b < ny; b++) {
          const h = hy[j * ny + b]!;
          if (h === 0) continue;
          const so = (a * ny + b) * d + j0;
          for (let c = 0; c < w; c++) tmp[t + c] += h * s[so + c]!;
        }
      }
    }
    for (let i = 0; i < nx; i++) {
      for (let j = 0; j < ny; j++) {
        const o = (i * ny + j) * d;
        out.fill(0, o + j0, o + j1);
        for (let a = 0; a < nx; a++) {
          const h = hx[i * nx + a]!;
          if (h === 0) continue;
          const t = (a * ny + j) * w;
          for (let c = 0; c < w; c++) out[o + j0 + c] += h * tmp[t + c]!;
        }
      }
    }
  },
};
