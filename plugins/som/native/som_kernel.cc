// Native SOM kernel for @vocloud/plugin-som: the BMU search as a blocked GEMM
// (score_k = |w_k|^2 - 2 x.w_k), the Voronoi accumulation and the dense neighbourhood
// product H S. Plain Node-API (C), no node-addon-api: it builds with g++ alone.
//
// One binary serves every x86-64 machine: the AVX-512 and AVX2+FMA micro-kernels are compiled
// with per-function target attributes and chosen at run time (__builtin_cpu_supports); any
// other machine (or compiler) gets the portable C++ kernel. Threads are the caller's business:
// each call works on a range of rows, and JS worker threads run ranges side by side on
// SharedArrayBuffers.
#include <node_api.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SOM_X86 1
#include <immintrin.h>
#endif

// The streaming loops (accumulation, H S products) are written plainly; on GCC/Linux they are
// compiled for AVX-512, AVX2 and the baseline, and the loader picks one for the CPU (ifunc).
#if defined(SOM_X86) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define SOM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SOM_CLONES
#endif

namespace {

// Units per packed panel. The packed layout [panel][d][PANEL] serves every micro-kernel:
// AVX-512 uses 32 units per tile (two zmm), AVX2 16 (two ymm), the portable kernel 8.
constexpr int PANEL = 32;

enum class Isa { Portable = 0, Avx2 = 1, Avx512 = 2 };

Isa detect_isa() {
#ifdef SOM_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Portable;
}

Isa g_isa = detect_isa();

// ---------------------------------------------------------------------------------------------
// Micro-kernels: C[MR x cols] (+)= A_packed[kc][MR] * B_packed[kc][PANEL]; ldc = row stride of C.
// `accumulate` = false stores, true adds (D is split into chunks of kc).

#ifdef SOM_X86
constexpr int MR512 = 12;
__attribute__((target("avx512f"))) void kernel_avx512(int kc, const float* a, const float* b, float* c, int ldc,
                                                      bool accumulate) {
  __m512 acc[MR512][2];
  for (int i = 0; i < MR512; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int d = 0; d < kc; ++d) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
    for (int i = 0; i < MR512; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += MR512;
    b += PANEL;
  }
  for (int i = 0; i < MR512; ++i) {
    float* ci = c + static_cast<size_t>(i) * ldc;
    if (accumulate) {
      acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(ci));
      acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, acc[i][0]);
    _mm512_storeu_ps(ci + 16, acc[i][1]);
  }
}

constexpr int MR256 = 6;
// AVX2 has 16 registers: a 6 x 16 tile (12 accumulators), run twice to cover a 32-unit panel.
__attribute__((target("avx2,fma"))) void kernel_avx2_half(int kc, const float* a, const float* b, float* c, int ldc,
                                                         bool accumulate) {
  __m256 acc[MR256][2];
  for (int i = 0; i < MR256; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int d = 0; d < kc; ++d) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    for (int i = 0; i < MR256; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += MR256;
    b += PANEL;
  }
  for (int i = 0; i < MR256; ++i) {
    float* ci = c + static_cast<size_t>(i) * ldc;
    if (accumulate) {
      acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
      acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, acc[i][0]);
    _mm256_storeu_ps(ci + 8, acc[i][1]);
  }
}
#endif

constexpr int MRP = 4;
// Portable: 4 rows x 32 units with plain loops the compiler can vectorise for its baseline.
void kernel_portable(int kc, const float* a, const float* b, float* c, int ldc, bool accumulate) {
  float acc[MRP][PANEL];
  for (int i = 0; i < MRP; ++i)
    for (int j = 0; j < PANEL; ++j) acc[i][j] = 0.0f;
  for (int d = 0; d < kc; ++d) {
    for (int i = 0; i < MRP; ++i) {
      const float ai = a[i];
      for (int j = 0; j < PANEL; ++j) acc[i][j] += ai * b[j];
    }
    a += MRP;
    b += PANEL;
  }
  for (int i = 0; i < MRP; ++i) {
    float* ci = c + static_cast<size_t>(i) * ldc;
    for (int j = 0; j < PANEL; ++j) ci[j] = accumulate ? ci[j] + acc[i][j] : acc[i][j];
  }
}

int isa_mr(Isa isa) {
#ifdef SOM_X86
  if (isa == Isa::Avx512) return MR512;
  if (isa == Isa::Avx2) return MR256;
#endif
  return MRP;
}

void run_kernel(Isa isa, int kc, const float* a, const float* b, float* c, int ldc, bool accumulate) {
#ifdef SOM_X86
  if (isa == Isa::Avx512) return kernel_avx512(kc, a, b, c, ldc, accumulate);
  if (isa == Isa::Avx2) {
    // b advances PANEL floats per d in both halves; the second half starts 16 units in.
    kernel_avx2_half(kc, a, b, c, ldc, accumulate);
    kernel_avx2_half(kc, a, b + 16, c + 16, ldc, accumulate);
    return;
  }
#endif
  kernel_portable(kc, a, b, c, ldc, accumulate);
}

// Block sizes: an A block (mc x kc) and the C block (mc x K) stay in L2 while all panels of W
// for this D chunk stream through.
constexpr int KC = 512;
constexpr int MC_ROWS = 96;

struct BmuArgs {
  const float* x;      // N x D, row-major
  const float* wp;     // packed weights [panel][D][PANEL]
  const float* w2;     // |w_k|^2, K
  int n0, n1, d, k;
  int32_t* bmu;        // per row: best unit
  float* score;        // per row: best score |w|^2 - 2 x.w (the caller adds |x|^2)
  int32_t* second;     // per row: second best unit, or null
};

void bmu_rows(Isa isa, const BmuArgs& A) {
  const int mr = isa_mr(isa);
  const int panels = (A.k + PANEL - 1) / PANEL;
  const int kpad = panels * PANEL;
  const int mc = (MC_ROWS / mr) * mr;
  std::vector<float> apack(static_cast<size_t>(mc) * KC);
  std::vector<float> cblk(static_cast<size_t>(mc) * kpad);
  for (int r0 = A.n0; r0 < A.n1; r0 += mc) {
    const int rows = std::min(mc, A.n1 - r0);
    const int micro = (rows + mr - 1) / mr;
    for (int d0 = 0; d0 < A.d; d0 += KC) {
      const int kc = std::min(KC, A.d - d0);
      // pack A: [micro-panel][d][mr], rows past the end are zero
      for (int m = 0; m < micro; ++m) {
        float* dst = apack.data() + static_cast<size_t>(m) * mr * kc;
        for (int i = 0; i < mr; ++i) {
          const int row = m * mr + i;
          if (row < rows) {
            const float* src = A.x + static_cast<size_t>(r0 + row) * A.d + d0;
            for (int d = 0; d < kc; ++d) dst[d * mr + i] = src[d];
          } else {
            for (int d = 0; d < kc; ++d) dst[d * mr + i] = 0.0f;
          }
        }
      }
      for (int p = 0; p < panels; ++p) {
        const float* bp = A.wp + (static_cast<size_t>(p) * A.d + d0) * PANEL;
        for (int m = 0; m < micro; ++m) {
          run_kernel(isa, kc, apack.data() + static_cast<size_t>(m) * mr * kc, bp,
                     cblk.data() + static_cast<size_t>(m) * mr * kpad + p * PANEL, kpad, d0 > 0);
        }
      }
    }
    for (int i = 0; i < rows; ++i) {
      const float* ci = cblk.data() + static_cast<size_t>(i) * kpad;
      // ib starts at -1, so that a 1-unit map has no second-best unit (not unit 0 twice)
      float best = FLT_MAX, next = FLT_MAX;
      int ib = -1, in = -1;
      for (int k = 0; k < A.k; ++k) {
        const float s = A.w2[k] - 2.0f * ci[k];
        if (s < best) {
          next = best; in = ib; best = s; ib = k;
        } else if (s < next) {
          next = s; in = k;
        }
      }
      const int row = r0 + i;
      if (ib < 0) ib = 0;  // only when every score is NaN, which the caller rules out
      A.bmu[row] = ib;
      if (A.score) A.score[row] = best;
      if (A.second) A.second[row] = in;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Node-API glue

template <typename T>
T* typed_data(napi_env env, napi_value v, size_t* length) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  if (!is_typed) return nullptr;
  napi_typedarray_type type;
  void* data = nullptr;
  size_t len = 0;
  napi_get_typedarray_info(env, v, &type, &len, &data, nullptr, nullptr);
  if (length) *length = len;
  return static_cast<T*>(data);
}

int32_t int_arg(napi_env env, napi_value v) {
  int32_t out = 0;
  napi_get_value_int32(env, v, &out);
  return out;
}

bool is_null(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

napi_value throw_error(napi_env env, const char* msg) {
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

// packWeights(W Float32Array K*D, K, D, out Float32Array panels*D*32)
napi_value PackWeights(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 4) return throw_error(env, "packWeights: 4 arguments expected");
  size_t lw = 0, lo = 0;
  const float* w = typed_data<float>(env, argv[0], &lw);
  const int k = int_arg(env, argv[1]), d = int_arg(env, argv[2]);
  float* out = typed_data<float>(env, argv[3], &lo);
  const int panels = (k + PANEL - 1) / PANEL;
  if (!w || !out || lw < static_cast<size_t>(k) * d || lo < static_cast<size_t>(panels) * d * PANEL)
    return throw_error(env, "packWeights: bad arrays");
  for (int p = 0; p < panels; ++p)
    for (int j = 0; j < PANEL; ++j) {
      const int unit = p * PANEL + j;
      float* dst = out + static_cast<size_t>(p) * d * PANEL + j;
      if (unit < k) {
        const float* src = w + static_cast<size_t>(unit) * d;
        for (int dd = 0; dd < d; ++dd) dst[static_cast<size_t>(dd) * PANEL] = src[dd];
      } else {
        for (int dd = 0; dd < d; ++dd) dst[static_cast<size_t>(dd) * PANEL] = 0.0f;
      }
    }
  return nullptr;
}

// bmu(X, n0, n1, D, Wpacked, w2, K, bmu Int32Array, score Float32Array|null, second Int32Array|null)
napi_value Bmu(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 10) return throw_error(env, "bmu: 10 arguments expected");
  BmuArgs a{};
  size_t lx = 0, lwp = 0, lw2 = 0, lb = 0;
  a.x = typed_data<float>(env, argv[0], &lx);
  a.n0 = int_arg(env, argv[1]);
  a.n1 = int_arg(env, argv[2]);
  a.d = int_arg(env, argv[3]);
  a.wp = typed_data<float>(env, argv[4], &lwp);
  a.w2 = typed_data<float>(env, argv[5], &lw2);
  a.k = int_arg(env, argv[6]);
  a.bmu = typed_data<int32_t>(env, argv[7], &lb);
  a.score = is_null(env, argv[8]) ? nullptr : typed_data<float>(env, argv[8], nullptr);
  a.second = is_null(env, argv[9]) ? nullptr : typed_data<int32_t>(env, argv[9], nullptr);
  const int panels = (a.k + PANEL - 1) / PANEL;
  if (!a.x || !a.wp || !a.w2 || !a.bmu || a.d <= 0 || a.k <= 0 || a.n0 < 0 || a.n1 < a.n0 ||
      lx < static_cast<size_t>(a.n1) * a.d || lwp < static_cast<size_t>(panels) * a.d * PANEL ||
      lw2 < static_cast<size_t>(a.k) || lb < static_cast<size_t>(a.n1))
    return throw_error(env, "bmu: bad arguments");
  bmu_rows(g_isa, a);
  return nullptr;
}

SOM_CLONES void accumulate_columns(const float* x, int n, int d, int j0, int j1, const int32_t* bmu, double* s) {
  for (int i = 0; i < n; ++i) {
    double* su = s + static_cast<size_t>(bmu[i]) * d;
    const float* xi = x + static_cast<size_t>(i) * d;
    for (int j = j0; j < j1; ++j) su[j] += xi[j];
  }
}

// out[0..w) += h * src[0..w)
SOM_CLONES void axpy(int w, double h, const double* src, double* out) {
  for (int c = 0; c < w; ++c) out[c] += h * src[c];
}

// accumulate(X, N, D, j0, j1, bmu Int32Array, S Float64Array K*D, K)
// S[bmu[i], j] += X[i, j] for every row and the columns [j0, j1): threads split the columns, so
// they share one S and need no reduction afterwards.
napi_value Accumulate(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 8) return throw_error(env, "accumulate: 8 arguments expected");
  size_t lx = 0, lb = 0, ls = 0;
  const float* x = typed_data<float>(env, argv[0], &lx);
  const int n = int_arg(env, argv[1]), d = int_arg(env, argv[2]);
  const int j0 = int_arg(env, argv[3]), j1 = int_arg(env, argv[4]);
  const int32_t* bmu = typed_data<int32_t>(env, argv[5], &lb);
  double* s = typed_data<double>(env, argv[6], &ls);
  const int k = int_arg(env, argv[7]);
  if (!x || !bmu || !s || n < 0 || d <= 0 || k <= 0 || j0 < 0 || j1 > d || j0 > j1 || lx < static_cast<size_t>(n) * d ||
      lb < static_cast<size_t>(n) || ls < static_cast<size_t>(k) * d)
    return throw_error(env, "accumulate: bad arguments");
  for (int i = 0; i < n; ++i)
    if (bmu[i] < 0 || bmu[i] >= k) return throw_error(env, "accumulate: BMU index out of range");
  accumulate_columns(x, n, d, j0, j1, bmu, s);
  return nullptr;
}

// neighbourProduct(H Float64Array K*K, S Float64Array K*D, K, D, k0, k1, out Float64Array K*D)
// out[k] = sum_l H[k,l] S[l] for k in [k0, k1), in column tiles that stay in cache; zero
// entries of H (bubble, cut-off Gaussian) are skipped.
napi_value NeighbourProduct(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 7) return throw_error(env, "neighbourProduct: 7 arguments expected");
  size_t lh = 0, ls = 0, lo = 0;
  const double* h = typed_data<double>(env, argv[0], &lh);
  const double* s = typed_data<double>(env, argv[1], &ls);
  const int k = int_arg(env, argv[2]), d = int_arg(env, argv[3]);
  const int k0 = int_arg(env, argv[4]), k1 = int_arg(env, argv[5]);
  double* out = typed_data<double>(env, argv[6], &lo);
  if (!h || !s || !out || k <= 0 || d <= 0 || k0 < 0 || k1 > k || k0 > k1 || lh < static_cast<size_t>(k) * k ||
      ls < static_cast<size_t>(k) * d || lo < static_cast<size_t>(k) * d)
    return throw_error(env, "neighbourProduct: bad arguments");
  constexpr int TILE = 256;
  double acc[TILE];
  for (int j0 = 0; j0 < d; j0 += TILE) {
    const int w = std::min(TILE, d - j0);
    for (int r = k0; r < k1; ++r) {
      for (int j = 0; j < w; ++j) acc[j] = 0.0;
      const double* hr = h + static_cast<size_t>(r) * k;
      for (int l = 0; l < k; ++l) {
        const double hl = hr[l];
        if (hl == 0.0) continue;
        axpy(w, hl, s + static_cast<size_t>(l) * d + j0, acc);
      }
      std::memcpy(out + static_cast<size_t>(r) * d + j0, acc, sizeof(double) * w);
    }
  }
  return nullptr;
}

// separableProduct(hx Float64Array X*X, hy Float64Array Y*Y, S Float64Array K*D, X, Y, D, j0, j1,
//                   tmp Float64Array K*(j1-j0), out Float64Array K*D)
// The same product for a neighbourhood that factorises over the two grid axes (Gaussian on a
// rectangular grid, planar or toroidal): out = (Hx (x) Hy) S in 2 K (X+Y) D operations instead of
// 2 K^2 D. Unit k = i*Y + j. Only columns [j0, j1) are touched, so threads can split D; `out`
// may be `S` itself (every column of S is read into tmp before it is overwritten).
napi_value SeparableProduct(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 10) return throw_error(env, "separableProduct: 10 arguments expected");
  size_t lhx = 0, lhy = 0, ls = 0, lt = 0, lo = 0;
  const double* hx = typed_data<double>(env, argv[0], &lhx);
  const double* hy = typed_data<double>(env, argv[1], &lhy);
  const double* s = typed_data<double>(env, argv[2], &ls);
  const int nx = int_arg(env, argv[3]), ny = int_arg(env, argv[4]), d = int_arg(env, argv[5]);
  const int j0 = int_arg(env, argv[6]), j1 = int_arg(env, argv[7]);
  double* tmp = typed_data<double>(env, argv[8], &lt);
  double* out = typed_data<double>(env, argv[9], &lo);
  const size_t k = static_cast<size_t>(nx) * ny;
  if (!hx || !hy || !s || !tmp || !out || nx <= 0 || ny <= 0 || d <= 0 || j0 < 0 || j1 > d || j0 > j1 ||
      lhx < static_cast<size_t>(nx) * nx || lhy < static_cast<size_t>(ny) * ny || ls < k * d || lt < k * (j1 - j0) || lo < k * d)
    return throw_error(env, "separableProduct: bad arguments");
  const int w = j1 - j0;
  // tmp[a, j] = sum_b hy[j, b] S[a, b]
  for (int a = 0; a < nx; ++a)
    for (int j = 0; j < ny; ++j) {
      double* t = tmp + (static_cast<size_t>(a) * ny + j) * w;
      for (int c = 0; c < w; ++c) t[c] = 0.0;
      for (int b = 0; b < ny; ++b) {
        const double h = hy[static_cast<size_t>(j) * ny + b];
        if (h == 0.0) continue;
        axpy(w, h, s + (static_cast<size_t>(a) * ny + b) * d + j0, t);
      }
    }
  // out[i, j] = sum_a hx[i, a] tmp[a, j]
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < ny; ++j) {
      double* o = out + (static_cast<size_t>(i) * ny + j) * d + j0;
      for (int c = 0; c < w; ++c) o[c] = 0.0;
      for (int a = 0; a < nx; ++a) {
        const double h = hx[static_cast<size_t>(i) * nx + a];
        if (h == 0.0) continue;
        axpy(w, h, tmp + (static_cast<size_t>(a) * ny + j) * w, o);
      }
    }
  return nullptr;
}

SOM_CLONES void divide_columns(const double* src, const double* den, int k, int d, int j0, int j1, float* w) {
  for (int u = 0; u < k; ++u) {
    if (!(den[u] > 1e-30)) continue;  // a unit no sample pulls on keeps its weight
    const double inv = 1.0 / den[u];
    const double* su = src + static_cast<size_t>(u) * d;
    float* wu = w + static_cast<size_t>(u) * d;
    for (int j = j0; j < j1; ++j) wu[j] = static_cast<float>(su[j] * inv);
  }
}

// updateWeights(src Float64Array K*D, den Float64Array K, K, D, j0, j1, W Float32Array K*D)
// W[u, j] = src[u, j] / den[u] for columns [j0, j1), where den[u] > 1e-30.
napi_value UpdateWeights(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 7) return throw_error(env, "updateWeights: 7 arguments expected");
  size_t ls = 0, ld = 0, lw = 0;
  const double* src = typed_data<double>(env, argv[0], &ls);
  const double* den = typed_data<double>(env, argv[1], &ld);
  const int k = int_arg(env, argv[2]), d = int_arg(env, argv[3]), j0 = int_arg(env, argv[4]), j1 = int_arg(env, argv[5]);
  float* w = typed_data<float>(env, argv[6], &lw);
  if (!src || !den || !w || k <= 0 || d <= 0 || j0 < 0 || j1 > d || j0 > j1 || ls < static_cast<size_t>(k) * d ||
      ld < static_cast<size_t>(k) || lw < static_cast<size_t>(k) * d)
    return throw_error(env, "updateWeights: bad arguments");
  divide_columns(src, den, k, d, j0, j1, w);
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Online (Kohonen) steps: sequential by nature, so one thread, but vectorised.

SOM_CLONES float dot_f32(const float* a, const float* b, int d) {
  // 16 independent partial sums: the compiler turns them into vector registers
  float acc[16] = {0};
  int j = 0;
  for (; j + 16 <= d; j += 16)
    for (int l = 0; l < 16; ++l) acc[l] += a[j + l] * b[j + l];
  float s = 0.0f;
  for (int l = 0; l < 16; ++l) s += acc[l];
  for (; j < d; ++j) s += a[j] * b[j];
  return s;
}

SOM_CLONES double move_towards(float* w, const float* x, float f, int d) {
  double s = 0.0;
  for (int j = 0; j < d; ++j) {
    const float v = w[j] + f * (x[j] - w[j]);
    w[j] = v;
    s += static_cast<double>(v) * v;
  }
  return s;
}

double neighbourhood_value(int kind, double d2, double sigma) {
  const double s2 = sigma * sigma;
  if (kind == 1) return d2 <= s2 + 1e-12 ? 1.0 : 0.0;
  const double g = std::exp(-d2 / (2.0 * s2));
  return kind == 2 ? (1.0 - d2 / s2) * g : g;
}

// onlineSteps(X, D, order Int32Array, W Float32Array K*D, w2 Float64Array K, K, d2 Float64Array K*K,
//             kind (0 gaussian, 1 bubble, 2 mexican hat), cosine, sigma Float64Array, alpha Float64Array)
// For each t: c = BMU of x[order[t]]; w_u += alpha[t] h(d2[c,u], sigma[t]) (x - w_u).
napi_value OnlineSteps(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 11) return throw_error(env, "onlineSteps: 11 arguments expected");
  size_t lx = 0, lo = 0, lw = 0, lw2 = 0, ld2 = 0, ls = 0, la = 0;
  const float* x = typed_data<float>(env, argv[0], &lx);
  const int d = int_arg(env, argv[1]);
  const int32_t* order = typed_data<int32_t>(env, argv[2], &lo);
  float* w = typed_data<float>(env, argv[3], &lw);
  double* w2 = typed_data<double>(env, argv[4], &lw2);
  const int k = int_arg(env, argv[5]);
  const double* d2 = typed_data<double>(env, argv[6], &ld2);
  const int kind = int_arg(env, argv[7]);
  bool cosine = false;
  napi_get_value_bool(env, argv[8], &cosine);
  const double* sigma = typed_data<double>(env, argv[9], &ls);
  const double* alpha = typed_data<double>(env, argv[10], &la);
  if (!x || !order || !w || !w2 || !d2 || !sigma || !alpha || d <= 0 || k <= 0 || lw < static_cast<size_t>(k) * d ||
      lw2 < static_cast<size_t>(k) || ld2 < static_cast<size_t>(k) * k || ls < lo || la < lo)
    return throw_error(env, "onlineSteps: bad arguments");
  const size_t n = lx / d;
  for (size_t t = 0; t < lo; ++t) {
    if (order[t] < 0 || static_cast<size_t>(order[t]) >= n) return throw_error(env, "onlineSteps: sample index out of range");
    const float* xi = x + static_cast<size_t>(order[t]) * d;
    double best = 1e300;
    int c = 0;
    for (int u = 0; u < k; ++u) {
      const double dot = dot_f32(xi, w + static_cast<size_t>(u) * d, d);
      const double sc = cosine ? -dot / std::sqrt(w2[u] > 0 ? w2[u] : 1.0) : w2[u] - 2.0 * dot;
      if (sc < best) { best = sc; c = u; }
    }
    for (int u = 0; u < k; ++u) {
      const double f = alpha[t] * neighbourhood_value(kind, d2[static_cast<size_t>(c) * k + u], sigma[t]);
      if (std::fabs(f) < 1e-7) continue;
      w2[u] = move_towards(w + static_cast<size_t>(u) * d, xi, static_cast<float>(f), d);
    }
  }
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  static const char* names[] = {"portable", "avx2", "avx512"};
  napi_value obj, isa, panel, mr;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, names[static_cast<int>(g_isa)], NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, PANEL, &panel);
  napi_create_int32(env, isa_mr(g_isa), &mr);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "panel", panel);
  napi_set_named_property(env, obj, "mr", mr);
  return obj;
}

// setIsa('portable' | 'avx2' | 'avx512'): for tests and benchmarks; refuses what the CPU lacks.
napi_value SetIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char buf[16] = {0};
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], buf, sizeof buf, &len) != napi_ok)
    return throw_error(env, "setIsa: a string expected");
  Isa want = Isa::Portable;
  if (std::strcmp(buf, "avx512") == 0) want = Isa::Avx512;
  else if (std::strcmp(buf, "avx2") == 0) want = Isa::Avx2;
  else if (std::strcmp(buf, "portable") != 0) return throw_error(env, "setIsa: unknown ISA");
  if (static_cast<int>(want) > static_cast<int>(detect_isa())) return throw_error(env, "setIsa: not supported by this CPU");
  g_isa = want;
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"packWeights", nullptr, PackWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bmu", nullptr, Bmu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"accumulate", nullptr, Accumulate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"neighbourProduct", nullptr, NeighbourProduct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"separableProduct", nullptr, SeparableProduct, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"updateWeights", nullptr, UpdateWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"onlineSteps", nullptr, OnlineSteps, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
