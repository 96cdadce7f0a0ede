// The WebAssembly SIMD kernel of @vocloud/plugin-som (AssemblyScript, compiled by build:assets):
// the BMU search as a register-blocked product, for machines where the native kernel could not
// be built. 128-bit SIMD without FMA (relaxed SIMD is behind a flag in Node 20).
//
// Layout: x rows are row-major (d floats each); weights are packed [panel][d][8] (8 units per
// panel, zero-padded); scratch holds 4 rows x kpad scores.

const MR: i32 = 4;
const NR: i32 = 8;

/** Grow the memory to at least `bytes` and return the base address of the free area. */
export function reserve(bytes: usize): usize {
  const base: usize = (__heap_base + 15) & ~15;
  const need = base + bytes;
  const have = <usize>memory.size() << 16;
  if (need > have) memory.grow(<i32>((need - have + 0xffff) >> 16));
  return base;
}

/** Pack K x D weights into [panel][d][8]. */
export function pack(w: usize, k: i32, d: i32, out: usize): void {
  const panels = (k + NR - 1) / NR;
  for (let p = 0; p < panels; p++) {
    for (let j = 0; j < NR; j++) {
      const unit = p * NR + j;
      const dst = out + ((<usize>p * d) * NR + j) * 4;
      if (unit < k) {
        const src = w + <usize>unit * d * 4;
        for (let c = 0; c < d; c++) store<f32>(dst + <usize>c * NR * 4, load<f32>(src + <usize>c * 4));
      } else {
        for (let c = 0; c < d; c++) store<f32>(dst + <usize>c * NR * 4, 0);
      }
    }
  }
}

/** Dot products of up to 4 rows with one panel of 8 units, written to scores[r][panel*8 ..]. */
function tile(x: usize, rows: i32, d: i32, bp: usize, scores: usize, kpad: i32, p: i32): void {
  const stride = <usize>d * 4;
  const x0 = x, x1 = rows > 1 ? x + stride : x, x2 = rows > 2 ? x + 2 * stride : x, x3 = rows > 3 ? x + 3 * stride : x;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let c = 0; c < d; c++) {
    const off = <usize>c * 4;
    const b = bp + <usize>c * NR * 4;
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const s0 = v128.load32_splat(x0 + off), s1 = v128.load32_splat(x1 + off);
    const s2 = v128.load32_splat(x2 + off), s3 = v128.load32_splat(x3 + off);
    a00 = f32x4.add(a00, f32x4.mul(s0, b0)); a01 = f32x4.add(a01, f32x4.mul(s0, b1));
    a10 = f32x4.add(a10, f32x4.mul(s1, b0)); a11 = f32x4.add(a11, f32x4.mul(s1, b1));
    a20 = f32x4.add(a20, f32x4.mul(s2, b0)); a21 = f32x4.add(a21, f32x4.mul(s2, b1));
    a30 = f32x4.add(a30, f32x4.mul(s3, b0)); a31 = f32x4.add(a31, f32x4.mul(s3, b1));
  }
  const row = <usize>kpad * 4;
  const o = scores + <usize>p * NR * 4;
  v128.store(o, a00); v128.store(o, a01, 16);
  v128.store(o + row, a10); v128.store(o + row, a11, 16);
  v128.store(o + 2 * row, a20); v128.store(o + 2 * row, a21, 16);
  v128.store(o + 3 * row, a30); v128.store(o + 3 * row, a31, 16);
}

/**
 * For `rows` rows at x: best unit, its score |w|^2 - 2 x.w and the second-best unit (-1 when
 * there is none). scratch: 4 * kpad floats.
 */
export function bmu(x: usize, rows: i32, d: i32, wp: usize, w2: usize, k: i32, scratch: usize,
  outBmu: usize, outScore: usize, outSecond: usize): void {
  const panels = (k + NR - 1) / NR;
  const kpad = panels * NR;
  for (let r0 = 0; r0 < rows; r0 += MR) {
    const m = min(MR, rows - r0);
    const xr = x + <usize>r0 * d * 4;
    for (let p = 0; p < panels; p++) tile(xr, m, d, wp + <usize>p * d * NR * 4, scratch, kpad, p);
    for (let i = 0; i < m; i++) {
      const s = scratch + <usize>i * kpad * 4;
      let best = f32.MAX_VALUE, next = f32.MAX_VALUE;
      let ib = -1, inx = -1;
      for (let u = 0; u < k; u++) {
        const v = load<f32>(w2 + <usize>u * 4) - 2 * load<f32>(s + <usize>u * 4);
        if (v < best) { next = best; inx = ib; best = v; ib = u; } else if (v < next) { next = v; inx = u; }
      }
      const row = <usize>(r0 + i) * 4;
      store<i32>(outBmu + row, max(ib, 0));
      store<f32>(outScore + row, best);
      store<i32>(outSecond + row, inx);
    }
  }
}
