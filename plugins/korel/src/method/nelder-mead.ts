/**
 * Nelder–Mead downhill simplex with the dimension-adaptive coefficients of Gao & Han (2012),
 * which keep it efficient beyond a handful of parameters. Written here rather than taken from
 * npm: the packages there are unmaintained, and KOREL's per-element steps, restarts and abort
 * checks want control over the simplex that a black box does not give.
 */
export interface NelderMeadOptions {
  /** Initial simplex: x0 and x0 + steps[i]·e_i. */
  readonly steps: Float64Array;
  /** Converged when every vertex is within xtol[i] of the best in every coordinate … */
  readonly xtol: Float64Array;
  /** … and the cost spread is within ftol × |best cost|. */
  readonly ftol: number;
  /** … or within this absolute amount (for costs that converge to 0). Default 0. */
  readonly fatol?: number;
  readonly maxEvaluations: number;
  /** Called once per iteration; may return a promise to let the event loop run (abort, progress). */
  readonly pause?: () => Promise<void> | void;
}

export interface NelderMeadResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly evaluations: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export async function nelderMead(f: (x: Float64Array) => number, x0: Float64Array, o: NelderMeadOptions): Promise<NelderMeadResult> {
  const n = x0.length;
  const alpha = 1;
  const beta = 1 + 2 / n; // expansion
  const gamma = 0.75 - 1 / (2 * n); // contraction
  const delta = 1 - 1 / n; // shrink
  let evaluations = 0;
  const call = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  const sim: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(x0);
    v[i] += o.steps[i]!;
    sim.push(v);
  }
  let fs = sim.map(call);
  const order = sim.map((_, i) => i);
  const xbar = new Float64Array(n);
  const point = (from: Float64Array, to: Float64Array, t: number): Float64Array => {
    const p = new Float64Array(n);
    for (let j = 0; j < n; j++) p[j] = from[j]! + t * (to[j]! - from[j]!);
    return p;
  };
  let iterations = 0;
  let converged = false;
  for (;;) {
    order.sort((a, b) => fs[a]! - fs[b]!);
    const sorted = order.map((i) => sim[i]!);
    const fsorted = order.map((i) => fs[i]!);
    sim.splice(0, sim.length, ...sorted);
    fs = fsorted;
    for (let i = 0; i <= n; i++) order[i] = i;
    const best = sim[0]!;
    let spread = true;
    for (let i = 1; i <= n && spread; i++) {
      for (let j = 0; j < n; j++) {
        if (Math.abs(sim[i]![j]! - best[j]!) > o.xtol[j]!) {
          spread = false;
          break;
        }
      }
    }
    if (spread && fs[n]! - fs[0]! <= Math.max(o.ftol * Math.abs(fs[0]!), o.fatol ?? 0)) {
      converged = true;
      break;
    }
    if (evaluations >= o.maxEvaluations) break;
    iterations++;
    const p = o.pause?.();
    if (p) await p;
    xbar.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xbar[j] += sim[i]![j]! / n;
    const worst = sim[n]!;
    const xr = point(xbar, worst, -alpha);
    const fr = call(xr);
    if (fr < fs[0]!) {
      const xe = point(xbar, worst, -alpha * beta);
      const fe = call(xe);
      if (fe < fr) {
        sim[n] = xe;
        fs[n] = fe;
      } else {
        sim[n] = xr;
        fs[n] = fr;
      }
      continue;
    }
    if (fr < fs[n - 1]!) {
      sim[n] = xr;
      fs[n] = fr;
      continue;
    }
    if (fr < fs[n]!) {
      const xc = point(xbar, worst, -alpha * gamma);
      const fc = call(xc);
      if (fc <= fr) {
        sim[n] = xc;
        fs[n] = fc;
        continue;
      }
    } else {
      const xcc = point(xbar, worst, gamma);
      const fcc = call(xcc);
      if (fcc < fs[n]!) {
        sim[n] = xcc;
        fs[n] = fcc;
        continue;
      }
    }
    for (let i = 1; i <= n; i++) {
      sim[i] = point(best, sim[i]!, delta);
      fs[i] = call(sim[i]!);
    }
  }
  return { x: sim[0]!, f: fs[0]!, evaluations, iterations, converged };
}
