// CKernels: float32 micro-kernels for NeuralEngine and PoseLifting (packed GEMM, depthwise convolution)
// with runtime dispatch between AVX-512, AVX2+FMA and a portable build of the same code.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels; every entry point takes one and never runs code the CPU lacks (a level above
/// `ck_isa_supported()` is lowered to it).
enum {
  CK_ISA_PORTABLE = 0,  ///< plain C vectors for the target's baseline (SSE2 on x86-64, NEON on arm64)
  CK_ISA_AVX2 = 1,      ///< AVX2 + FMA (x86-64 only)
  CK_ISA_AVX512 = 2     ///< AVX-512F (x86-64 only)
};

/// The best level this CPU and OS support.
int ck_isa_supported(void);

/// The level kernels use by default: `ck_isa_supported()`, lowered by the environment variable
/// POSESCOPE_KERNELS=portable|avx2|avx512 when set.
int ck_isa_default(void);

/// The level `isa` is lowered to on this machine (what a call with `isa` runs).
int ck_isa_effective(int isa);

// ---- GEMM: c[m, n] = clamp(a[m, k] · wᵀ + bias), w given as [n, k] row-major (a conv filter). ----

/// Floats needed by `ck_gemm_pack` for an n×k weight matrix (panels of 16 output columns, then the bias).
size_t ck_gemm_packed_count(int n, int k);

/// Packs w ([n, k] row-major) and bias ([n], or NULL for zeros) into `packed`
/// (`ck_gemm_packed_count(n, k)` floats, ideally 64-byte aligned).
void ck_gemm_pack(int n, int k, const float *w, const float *bias, float *packed);

/// c[i, j] = bias[j] + Σ_p a[i·lda + p] · w[j, p], for i < m, j < n, written at c[i·ldc + j]; when
/// `clamp` is nonzero the result is clamped to [lo, hi].
void ck_gemm(int isa, int m, int n, int k, const float *a, long lda, const float *packed, float *c, long ldc,
             int clamp, float lo, float hi);

/// `ck_gemm` restricted to output columns [col0, col1): col0 must be a multiple of 16, and so must col1
/// unless it is ≥ n (otherwise nothing is computed). For splitting a GEMM with few rows between threads.
void ck_gemm_cols(int isa, int m, int n, int k, const float *a, long lda, const float *packed, float *c,
                  long ldc, int col0, int col1, int clamp, float lo, float hi);

// ---- Convolutions on NHWC, batch 1. ----

/// The geometry of a convolution: input h×w×c, output oh×ow, kernel kh×kw, strides, dilations, leading
/// padding (positions outside the input read as zero) and, for the depthwise kernel, an optional clamp.
typedef struct {
  int h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pad_top, pad_left, clamp;
  float lo, hi;
} ck_conv_params;

/// Gathers the receptive fields of output positions [r0, r1) (flat oy·ow + ox) into consecutive rows of
/// `col` ([r1 − r0, kh·kw·c]), zeros outside the input.
void ck_im2col(const ck_conv_params *p, const float *in, float *col, long r0, long r1);

/// Whether `ck_conv` handles this geometry: dilation 1 along x, kh ≤ 8, kh·kw·c ≤ 512.
int ck_conv_supported(const ck_conv_params *p);

/// A convolution as a GEMM reading the input in place (no im2col copy except for border pixels):
/// output pixels [r0, r1) (flat oy·ow + ox) of n channels, out[q·n + j] = clamp(bias[j] + Σ in · w),
/// with `packed` from `ck_gemm_pack(n, kh·kw·c, filter [n, kh, kw, c], bias)`. Does nothing when
/// `ck_conv_supported(p)` is 0.
void ck_conv(int isa, const ck_conv_params *p, const float *in, const float *packed, int n, float *out,
             long r0, long r1, int clamp, float lo, float hi);

/// Floats needed by `ck_dw_pack` (blocks of 16 channels: kh·kw tap rows then the bias row).
size_t ck_dw_packed_count(int c, int kh, int kw);

/// Packs weights ([kh, kw, c]) and bias ([c], or NULL for zeros) into `packed`.
void ck_dw_pack(int c, int kh, int kw, const float *w, const float *bias, float *packed);

/// Computes output rows [oy0, oy1) of the depthwise convolution described by `p`.
void ck_dwconv(int isa, const ck_conv_params *p, const float *in, const float *packed, float *out, int oy0,
               int oy1);

// ---- Threads ----

/// A task of a parallel region: called once per index in [0, n).
typedef void (*ck_task_fn)(void *ctx, int index);

/// Runs fn(ctx, i) for every i in [0, n) on the calling thread and up to threads − 1 pooled worker
/// threads (created on first use, spinning briefly between regions, then sleeping), and returns when all
/// are done. Thread p first runs the p-th contiguous share of [0, n) — the same share in every region
/// with the same n and threads — then helps with the others' unclaimed tasks. Regions from different
/// threads do not nest: while one runs, another caller runs its tasks itself (as does a region of more
/// than 2^20 − 1 tasks).
void ck_parallel(int n, int threads, ck_task_fn fn, void *ctx);

/// The mean time of `rounds` round trips of one cache line between this thread and a new one (ns), or −1
/// when no thread could be made. Where the OS puts the two threads decides what this measures: on a
/// shared VM it tells whether the two vCPUs sit close (tens of ns) or far apart (hundreds).
double ck_core_round_trip_ns(int rounds);

#ifdef __cplusplus
}
#endif

#endif
