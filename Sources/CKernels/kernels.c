// CKernels: instruction-set detection, packing, and the per-instruction-set builds of kernels_impl.h.
#include "CKernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define CK_X86 1
#else
#define CK_X86 0
#endif

typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v16u __attribute__((vector_size(64), aligned(4)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
typedef float v16a __attribute__((vector_size(64), aligned(16)));

// Helpers are macros: vector arguments to functions would change the ABI between instruction sets.
#define ck_load16(p) (*(const v16u *)(p))
// Packed GEMM weights are 16-byte aligned at least (64-byte aligned allocation, 64-byte panels).
#define ck_load16a(p) (*(const v16a *)(p))
#define ck_store16(p, v) (*(v16u *)(p) = (v))
#define ck_splat16(x) \
  ({ float ck_x_ = (x); (v16){ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, \
                              ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_}; })
#define ck_max16(a, b) __builtin_elementwise_max(a, b)
#define ck_min16(a, b) __builtin_elementwise_min(a, b)
#define ck_load8(p) (*(const v8u *)(p))
#define ck_store8(p, v) (*(v8u *)(p) = (v))
#define ck_splat8(x) ({ float ck_x_ = (x); (v8){ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_, ck_x_}; })
#define ck_max8(a, b) __builtin_elementwise_max(a, b)
#define ck_min8(a, b) __builtin_elementwise_min(a, b)

/// Stores the first `n` (< 16) lanes of v at p.
#define ck_store16_partial_scalar(p, v, n)    \
  do {                                        \
    float ck_t_[16];                          \
    ck_store16(ck_t_, v);                     \
    for (int ck_j_ = 0; ck_j_ < (n); ck_j_++) \
      (p)[ck_j_] = ck_t_[ck_j_];              \
  } while (0)

/// Limits of `ck_conv` (its border rows live on the stack): kh·kw·c ≤ CK_CONV_MAXK, kh ≤ CK_CONV_MAXKH.
#define CK_CONV_MAXK 512
#define CK_CONV_MAXKH 8

// Portable: the baseline of the target (SSE2 on x86-64: 4×xmm per v16; NEON on arm64).
#define CK_SUFFIX portable
#define CK_ATTR
#if defined(__aarch64__)
#define CK_MR 6
#else
#define CK_MR 2
#endif
#define CK_MRMAX CK_MR
#define CK_NV 1
#define CK_DW16 0
#define ck_store16_partial ck_store16_partial_scalar
#include "kernels_impl.h"
#undef ck_store16_partial
#undef CK_SUFFIX
#undef CK_ATTR
#undef CK_MR
#undef CK_MRMAX
#undef CK_NV
#undef CK_DW16

#if CK_X86
#define CK_SUFFIX avx2
#define CK_ATTR __attribute__((target("avx2,fma")))
#define CK_MR 6
#define CK_MRMAX 6
#define CK_NV 1
#define CK_DW16 0
// Masked store of the first n lanes (two 8-lane halves).
#define ck_store16_partial(p, v, n)                                                             \
  do {                                                                                          \
    const __m256i ck_idx_ = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);                          \
    v16 ck_v_ = (v);                                                                            \
    __m256 ck_lo_ = __builtin_shufflevector(ck_v_, ck_v_, 0, 1, 2, 3, 4, 5, 6, 7);              \
    __m256 ck_hi_ = __builtin_shufflevector(ck_v_, ck_v_, 8, 9, 10, 11, 12, 13, 14, 15);        \
    _mm256_maskstore_ps((p), _mm256_cmpgt_epi32(_mm256_set1_epi32(n), ck_idx_), ck_lo_);       \
    _mm256_maskstore_ps((p) + 8, _mm256_cmpgt_epi32(_mm256_set1_epi32((n) - 8), ck_idx_), ck_hi_); \
  } while (0)
#include "kernels_impl.h"
#undef ck_store16_partial
#undef CK_SUFFIX
#undef CK_ATTR
#undef CK_MR
#undef CK_MRMAX
#undef CK_NV
#undef CK_DW16

#define CK_SUFFIX avx512
#define CK_ATTR __attribute__((target("avx512f,avx2,fma")))
#define CK_MR 8
#define CK_MRMAX 12
#define CK_NV 2
#define CK_DW16 1
#define ck_store16_partial(p, v, n) _mm512_mask_storeu_ps((p), (__mmask16)((1u << (n)) - 1), (__m512)(v))
#include "kernels_impl.h"
#undef ck_store16_partial
#undef CK_SUFFIX
#undef CK_ATTR
#undef CK_MR
#undef CK_MRMAX
#undef CK_NV
#undef CK_DW16
#endif

// ---------------------------------------------------------------------------------------------------------
// Instruction-set selection

static int ck_detect(void) {
#if CK_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return CK_ISA_PORTABLE;
  int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!osxsave || !avx) return CK_ISA_PORTABLE;
  unsigned xlo, xhi;
  __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  (void)xhi;
  if ((xlo & 6) != 6) return CK_ISA_PORTABLE;  // the OS saves xmm and ymm state
  if (__get_cpuid_max(0, 0) < 7) return CK_ISA_PORTABLE;
  __cpuid_count(7, 0, a, b, c, d);
  int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
  if (!avx2 || !fma) return CK_ISA_PORTABLE;
  if (avx512f && (xlo & 0xE0) == 0xE0) return CK_ISA_AVX512;  // and opmask/zmm state
  return CK_ISA_AVX2;
#else
  return CK_ISA_PORTABLE;
#endif
}

static int ck_supported = -1;  // benign race: every thread computes the same value

int ck_isa_supported(void) {
  int s = __atomic_load_n(&ck_supported, __ATOMIC_RELAXED);
  if (s < 0) {
    s = ck_detect();
    __atomic_store_n(&ck_supported, s, __ATOMIC_RELAXED);
  }
  return s;
}

int ck_isa_effective(int isa) {
  int s = ck_isa_supported();
  if (isa < CK_ISA_PORTABLE) return CK_ISA_PORTABLE;
  return isa > s ? s : isa;
}

int ck_isa_default(void) {
  const char *e = getenv("POSESCOPE_KERNELS");
  int want = CK_ISA_AVX512;
  if (e) {
    if (strcmp(e, "portable") == 0) want = CK_ISA_PORTABLE;
    else if (strcmp(e, "avx2") == 0) want = CK_ISA_AVX2;
  }
  return ck_isa_effective(want);
}

// ---------------------------------------------------------------------------------------------------------
// Packing and dispatch

size_t ck_gemm_packed_count(int n, int k) {
  size_t panels = ((size_t)n + 15) / 16;
  return panels * 16 * (size_t)k + panels * 16;
}

void ck_gemm_pack(int n, int k, const float *w, const float *bias, float *packed) {
  int panels = (n + 15) / 16;
  for (int pn = 0; pn < panels; pn++) {
    float *dst = packed + (size_t)pn * 16 * k;
    for (int p = 0; p < k; p++)
      for (int j = 0; j < 16; j++) {
        int col = pn * 16 + j;
        dst[(size_t)p * 16 + j] = col < n ? w[(size_t)col * k + p] : 0;
      }
  }
  float *b = packed + (size_t)panels * 16 * k;
  for (int j = 0; j < panels * 16; j++) b[j] = (bias && j < n) ? bias[j] : 0;
}

void ck_gemm_cols(int isa, int m, int n, int k, const float *a, long lda, const float *packed, float *c,
                  long ldc, int col0, int col1, int clamp, float lo, float hi) {
  if (m <= 0 || n <= 0 || k < 0) return;
  int panels = (n + 15) / 16;
  int pb = col0 < 0 ? 0 : col0 / 16, pe = col1 >= n ? panels : (col1 + 15) / 16;
  if (col0 % 16 != 0 || (col1 < n && col1 % 16 != 0) || pb >= pe) return;
  switch (ck_isa_effective(isa)) {
#if CK_X86
  case CK_ISA_AVX512: gemm_avx512(m, n, k, a, lda, packed, c, ldc, pb, pe, clamp, lo, hi); return;
  case CK_ISA_AVX2: gemm_avx2(m, n, k, a, lda, packed, c, ldc, pb, pe, clamp, lo, hi); return;
#endif
  default: gemm_portable(m, n, k, a, lda, packed, c, ldc, pb, pe, clamp, lo, hi); return;
  }
}

void ck_gemm(int isa, int m, int n, int k, const float *a, long lda, const float *packed, float *c, long ldc,
             int clamp, float lo, float hi) {
  ck_gemm_cols(isa, m, n, k, a, lda, packed, c, ldc, 0, n, clamp, lo, hi);
}

int ck_conv_supported(const ck_conv_params *p) {
  return p->dw == 1 && p->kh >= 1 && p->kh <= CK_CONV_MAXKH && p->kw >= 1 && p->c >= 1 &&
         (long)p->kh * p->kw * p->c <= CK_CONV_MAXK;
}

void ck_conv(int isa, const ck_conv_params *p, const float *in, const float *packed, int n, float *out,
             long r0, long r1, int clamp, float lo, float hi) {
  if (!ck_conv_supported(p) || n <= 0) return;
  if (r0 < 0) r0 = 0;
  if (r1 > (long)p->oh * p->ow) r1 = (long)p->oh * p->ow;
  if (r0 >= r1) return;
  switch (ck_isa_effective(isa)) {
#if CK_X86
  case CK_ISA_AVX512: conv_avx512(p, in, packed, n, out, r0, r1, clamp, lo, hi); return;
  case CK_ISA_AVX2: conv_avx2(p, in, packed, n, out, r0, r1, clamp, lo, hi); return;
#endif
  default: conv_portable(p, in, packed, n, out, r0, r1, clamp, lo, hi); return;
  }
}

size_t ck_dw_packed_count(int c, int kh, int kw) {
  size_t blocks = ((size_t)c + 15) / 16;
  return blocks * ((size_t)kh * kw + 1) * 16;
}

void ck_dw_pack(int c, int kh, int kw, const float *w, const float *bias, float *packed) {
  int blocks = (c + 15) / 16, T = kh * kw;
  for (int bl = 0; bl < blocks; bl++) {
    float *dst = packed + (size_t)bl * (T + 1) * 16;
    for (int t = 0; t <= T; t++)
      for (int j = 0; j < 16; j++) {
        int ch = bl * 16 + j;
        float v = 0;
        if (ch < c) v = t < T ? w[(size_t)t * c + ch] : (bias ? bias[ch] : 0);
        dst[t * 16 + j] = v;
      }
  }
}

void ck_dwconv(int isa, const ck_conv_params *p, const float *in, const float *packed, float *out, int oy0,
               int oy1) {
  if (oy0 < 0) oy0 = 0;
  if (oy1 > p->oh) oy1 = p->oh;
  if (oy0 >= oy1) return;
  switch (ck_isa_effective(isa)) {
#if CK_X86
  case CK_ISA_AVX512: dwconv_avx512(p, in, packed, out, oy0, oy1); return;
  case CK_ISA_AVX2: dwconv_avx2(p, in, packed, out, oy0, oy1); return;
#endif
  default: dwconv_portable(p, in, packed, out, oy0, oy1); return;
  }
}

void ck_im2col(const ck_conv_params *p, const float *in, float *col_, long r0, long r1) {
  float *restrict col = col_;
  const int c = p->c, ow = p->ow, kw = p->kw, w = p->w, dw = p->dw;
  for (long r = r0; r < r1; r++) {
    int oy = (int)(r / ow), ox = (int)(r % ow);
    int ix0 = ox * p->sw - p->pad_left;
    // Taps kx in [kx0, kx1) fall inside the row; with dilation 1 they are contiguous in the input.
    int kx0 = ix0 >= 0 ? 0 : (-ix0 + dw - 1) / dw;
    int kx1 = w - 1 - ix0 >= 0 ? (w - 1 - ix0) / dw + 1 : 0;
    if (kx1 > kw) kx1 = kw;
    if (kx1 < kx0) kx1 = kx0;
    for (int ky = 0; ky < p->kh; ky++) {
      int iy = oy * p->sh - p->pad_top + ky * p->dh;
      if (iy < 0 || iy >= p->h) {
        for (int j = 0; j < kw * c; j++) col[j] = 0;
        col += kw * c;
        continue;
      }
      const float *row = in + (long)iy * w * c;
      for (int j = 0; j < kx0 * c; j++) col[j] = 0;
      col += kx0 * c;
      if (dw == 1) {
        int n = (kx1 - kx0) * c;
        memcpy(col, row + (long)(ix0 + kx0) * c, (size_t)n * sizeof(float));
        col += n;
      } else {
        for (int kx = kx0; kx < kx1; kx++) {
          const float *s = row + (long)(ix0 + kx * dw) * c;
          for (int j = 0; j < c; j++) col[j] = s[j];
          col += c;
        }
      }
      for (int j = 0; j < (kw - kx1) * c; j++) col[j] = 0;
      col += (kw - kx1) * c;
    }
  }
}
