// CKernels: the kernels' bodies, included once per instruction set by kernels.c with
// CK_SUFFIX (name suffix), CK_ATTR (target attribute), CK_MR/CK_NV (GEMM tile: rows × 16-column panels;
// CK_MRMAX rows when a strip has one panel)
// and CK_DW16 (1 when depthwise may use 16-lane vectors).

#define CK_CAT2(a, b) a##_##b
#define CK_CAT(a, b) CK_CAT2(a, b)
#define CK_FN(name) CK_CAT(name, CK_SUFFIX)
#define CK_INLINE static inline __attribute__((always_inline)) CK_ATTR

// ---------------------------------------------------------------------------------------------------------
// GEMM

/// One tile: MR rows times NV 16-column panels, bias from the packed tail, optional clamp. Row r's k
/// values are S segments of segLen floats starting at segs[r·S + s] (S = kh for a convolution reading
/// its input in place, one segment per kernel row), or, when segs is NULL, a[r·lda ...] (S = 1).
CK_INLINE void CK_FN(gemm_tile)(const int MR, const int NV, int S, int segLen, const float *const *segs,
                                const float *a, long lda, const float *b, long pstride, const float *bias,
                                float *c, long ldc, int ncols, int clamp, float lo, float hi) {
  v16 acc[CK_MRMAX][CK_NV];
  for (int v = 0; v < NV; v++) {
    v16 bv = ck_load16(bias + v * 16);
    for (int r = 0; r < MR; r++) acc[r][v] = bv;
  }
  for (int s = 0; s < S; s++) {
    const float *ar[CK_MRMAX];
    for (int r = 0; r < MR; r++) ar[r] = segs ? segs[r * S + s] : a + r * lda;
    const float *bs = b + (long)s * segLen * 16;
    for (int p = 0; p < segLen; p++) {
      v16 bv[CK_NV];
      for (int v = 0; v < NV; v++) bv[v] = ck_load16a(bs + v * pstride + p * 16);
      for (int r = 0; r < MR; r++) {
        v16 av = ck_splat16(ar[r][p]);
        for (int v = 0; v < NV; v++) acc[r][v] += av * bv[v];
      }
    }
  }
  if (clamp) {
    v16 vlo = ck_splat16(lo), vhi = ck_splat16(hi);
    for (int r = 0; r < MR; r++)
      for (int v = 0; v < NV; v++) acc[r][v] = ck_min16(ck_max16(acc[r][v], vlo), vhi);
  }
  for (int v = 0; v < NV; v++) {
    int cols = ncols - v * 16;
    if (cols >= 16) {
      for (int r = 0; r < MR; r++) ck_store16(c + r * ldc + v * 16, acc[r][v]);
    } else {
      for (int r = 0; r < MR; r++) ck_store16_partial(c + r * ldc + v * 16, acc[r][v], cols);
    }
  }
}

/// Runs one tile of `rows` (1 ... CK_MRMAX) rows; the row count becomes a constant in each case.
CK_INLINE void CK_FN(gemm_rows)(const int NV, int rows, int S, int segLen, const float *const *segs,
                                const float *a, long lda, const float *b, long pstride, const float *bias,
                                float *c, long ldc, int ncols, int clamp, float lo, float hi) {
  switch (rows) {
#define CK_ROWS(R)                                                                                     \
  case R:                                                                                              \
    if (R <= CK_MRMAX)                                                                                 \
      CK_FN(gemm_tile)(R, NV, S, segLen, segs, a, lda, b, pstride, bias, c, ldc, ncols, clamp, lo, hi); \
    break;
    CK_ROWS(1) CK_ROWS(2) CK_ROWS(3) CK_ROWS(4) CK_ROWS(5) CK_ROWS(6) CK_ROWS(7) CK_ROWS(8) CK_ROWS(9)
    CK_ROWS(10) CK_ROWS(11) CK_ROWS(12) CK_ROWS(13) CK_ROWS(14) CK_ROWS(15) CK_ROWS(16)
#undef CK_ROWS
  default: break;
  }
}

/// Row tiles: m rows split into the fewest tiles of at most `mr` rows, of nearly equal size (49 rows
/// with mr 8 → seven tiles of 7, not six of 8 and one of 1: a one-row tile would run as long as a full
/// one, its accumulation chains being latency-bound). Tile t starts at row *i and has *rows rows.
#define CK_TILES(m, mr, t, i, rows)                                                      \
  for (int t = 0, i = 0, ck_n_ = ((m) + (mr) - 1) / (mr), rows = 0;                      \
       t < ck_n_ && ((rows = (m) / ck_n_ + (t < (m) % ck_n_)), 1); t++, i += rows)

/// c = clamp(a · wᵀ + bias): column strips of CK_NV panels (one-panel strips take CK_MRMAX rows per
/// tile, keeping the accumulator count), then row tiles.
/// Only columns [16·pb, min(n, 16·pe)) are computed (a thread's share of the panels).
CK_ATTR static void CK_FN(gemm)(int m, int n, int k, const float *a, long lda, const float *packed, float *c,
                               long ldc, int pb, int pe, int clamp, float lo, float hi) {
  int panels = (n + 15) / 16;
  long pstride = (long)k * 16;
  const float *bias = packed + (long)panels * pstride;
  for (int p0 = pb; p0 < pe; p0 += CK_NV) {
    int nv = pe - p0 < CK_NV ? pe - p0 : CK_NV;
    int ncols = n - p0 * 16 < nv * 16 ? n - p0 * 16 : nv * 16;
    const float *b = packed + p0 * pstride, *bb = bias + p0 * 16;
    int mr = nv == CK_NV ? CK_MR : CK_MRMAX;
    CK_TILES(m, mr, t, i, rows) {
      const float *ai = a + (long)i * lda;
      float *ci = c + (long)i * ldc + p0 * 16;
      if (nv == CK_NV)
        CK_FN(gemm_rows)(CK_NV, rows, 1, k, NULL, ai, lda, b, pstride, bb, ci, ldc, ncols, clamp, lo, hi);
      else
        CK_FN(gemm_rows)(1, rows, 1, k, NULL, ai, lda, b, pstride, bb, ci, ldc, ncols, clamp, lo, hi);
    }
  }
}

/// A convolution with dilation 1 along x as a GEMM that reads its input in place: each output pixel's
/// receptive field is kh segments of kw·c contiguous floats; pixels whose field crosses the border get
/// their im2col row built in a small buffer instead. Output pixels [r0, r1), n output channels.
CK_ATTR static void CK_FN(conv)(const ck_conv_params *P, const float *in, const float *packed, int n,
                               float *out, long r0, long r1, int clamp, float lo, float hi) {
  const int c = P->c, kh = P->kh, kw = P->kw, segLen = kw * c, k = kh * segLen;
  const int ow = P->ow, h = P->h, w = P->w, dh = P->dh;
  float border[CK_MRMAX * CK_CONV_MAXK];
  const float *segs[CK_MRMAX * CK_CONV_MAXKH];
  int m = (int)(r1 - r0);
  int panels = (n + 15) / 16;
  long pstride = (long)k * 16;
  const float *bias = packed + (long)panels * pstride;
  for (int p0 = 0; p0 < panels; p0 += CK_NV) {
    int nv = panels - p0 < CK_NV ? panels - p0 : CK_NV;
    int ncols = n - p0 * 16 < nv * 16 ? n - p0 * 16 : nv * 16;
    const float *b = packed + p0 * pstride, *bb = bias + p0 * 16;
    int mr = nv == CK_NV ? CK_MR : CK_MRMAX;
    CK_TILES(m, mr, t, i, rows) {
      for (int r = 0; r < rows; r++) {
        long q = r0 + i + r;
        int oy = (int)(q / ow), ox = (int)(q % ow);
        int iy0 = oy * P->sh - P->pad_top, ix0 = ox * P->sw - P->pad_left;
        if (iy0 >= 0 && iy0 + (kh - 1) * dh < h && ix0 >= 0 && ix0 + kw - 1 < w) {
          for (int ky = 0; ky < kh; ky++) segs[r * kh + ky] = in + ((long)(iy0 + ky * dh) * w + ix0) * c;
        } else {
          float *row = border + r * k;
          ck_im2col(P, in, row, q, q + 1);
          for (int ky = 0; ky < kh; ky++) segs[r * kh + ky] = row + ky * segLen;
        }
      }
      float *ci = out + (r0 + i) * n + p0 * 16;
      if (nv == CK_NV)
        CK_FN(gemm_rows)(CK_NV, rows, kh, segLen, segs, NULL, 0, b, pstride, bb, ci, n, ncols, clamp, lo, hi);
      else
        CK_FN(gemm_rows)(1, rows, kh, segLen, segs, NULL, 0, b, pstride, bb, ci, n, ncols, clamp, lo, hi);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Depthwise convolution

#define CK_VT v8
#define CK_VL 8
#define CK_LD ck_load8
#define CK_ST ck_store8
#define CK_SPLAT ck_splat8
#define CK_MAX ck_max8
#define CK_MIN ck_min8
#define CK_DWNAME dwrow8
#include "dw_impl.h"
#if CK_DW16
#define CK_VT v16
#define CK_VL 16
#define CK_LD ck_load16
#define CK_ST ck_store16
#define CK_SPLAT ck_splat16
#define CK_MAX ck_max16
#define CK_MIN ck_min16
#define CK_DWNAME dwrow16
#include "dw_impl.h"
#endif

/// Channels [c0, c0 + cn) of one output row, one channel at a time (fewer than 8 channels left).
CK_INLINE void CK_FN(dwrow_scalar)(const ck_conv_params *P, const float *in, const float *blk, float *out,
                                   int oy, int c0, int cn) {
  const int T = P->kh * P->kw, c = P->c;
  int iy0 = oy * P->sh - P->pad_top;
  for (int ox = 0; ox < P->ow; ox++) {
    int ix0 = ox * P->sw - P->pad_left;
    for (int j = 0; j < cn; j++) {
      float acc = blk[T * 16 + j];
      for (int ky = 0; ky < P->kh; ky++) {
        int iy = iy0 + ky * P->dh;
        if (iy < 0 || iy >= P->h) continue;
        for (int kx = 0; kx < P->kw; kx++) {
          int ix = ix0 + kx * P->dw;
          if (ix < 0 || ix >= P->w) continue;
          acc += in[((long)iy * P->w + ix) * c + c0 + j] * blk[(ky * P->kw + kx) * 16 + j];
        }
      }
      if (P->clamp) acc = acc < P->lo ? P->lo : (acc > P->hi ? P->hi : acc);
      out[((long)oy * P->ow + ox) * c + c0 + j] = acc;
    }
  }
}

CK_ATTR static void CK_FN(dwconv)(const ck_conv_params *P, const float *in, const float *packed, float *out,
                                 int oy0, int oy1) {
  const int T = P->kh * P->kw, c = P->c;
  const long bstride = (long)(T + 1) * 16;
  for (int oy = oy0; oy < oy1; oy++) {
    int c0 = 0;
    while (c0 < c) {
      const float *blk = packed + (c0 / 16) * bstride + (c0 % 16);
#if CK_DW16
      if (c - c0 >= 16 && c0 % 16 == 0) {
        CK_FN(dwrow16)(P, in, blk, out, oy, c0);
        c0 += 16;
        continue;
      }
#endif
      if (c - c0 >= 8) {
        CK_FN(dwrow8)(P, in, blk, out, oy, c0);
        c0 += 8;
        continue;
      }
      CK_FN(dwrow_scalar)(P, in, blk, out, oy, c0, c - c0);
      c0 = c;
    }
  }
}

#undef CK_INLINE
