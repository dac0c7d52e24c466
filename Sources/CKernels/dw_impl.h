// CKernels: one output row of a depthwise convolution for one channel group of CK_VL lanes (included by
// kernels_impl.h once per vector width).

/// A whole output row with KH×KW constant (3×3, 5×5) so the taps unroll and the weights stay in
/// registers: pixels whose taps all fall inside the input columns go four at a time, the others one at a
/// time skipping the outside taps; rows [ky0, ky1) of the kernel are the ones inside the input.
CK_INLINE void CK_CAT(CK_FN(CK_DWNAME), fixed)(const int KH, const int KW, const ck_conv_params *P,
                                             const float *in, const float *blk, float *out, int oy, int c0,
                                             int ky0, int ky1, int oxA, int oxB) {
  const int c = P->c, w = P->w, sw = P->sw, dh = P->dh, dw = P->dw, ow = P->ow;
  CK_VT wr[25];
  for (int t = 0; t < KH * KW; t++) wr[t] = CK_LD(blk + t * 16);
  CK_VT bias = CK_LD(blk + KH * KW * 16);
  int iy0 = oy * P->sh - P->pad_top;
  const float *rows[5];
  for (int ky = 0; ky < KH; ky++)
    rows[ky] = ky >= ky0 && ky < ky1 ? in + (long)(iy0 + ky * dh) * w * c + c0 : in;  // outside: unused
  float *o = out + ((long)oy * ow) * c + c0;
  const int clamp = P->clamp;
  CK_VT vlo = CK_SPLAT(P->lo), vhi = CK_SPLAT(P->hi);
  const long sc = (long)sw * c;
  int ox = 0;
  while (ox < ow) {
    long ix0 = (long)ox * sw - P->pad_left;
    if (ox >= oxA && ox + 4 <= oxB) {
      // Four pixels: four independent accumulation chains share each weight register.
      CK_VT a0 = bias, a1 = bias, a2 = bias, a3 = bias;
      for (int ky = 0; ky < KH; ky++) {
        if (ky < ky0 || ky >= ky1) continue;
        for (int kx = 0; kx < KW; kx++) {
          const float *q = rows[ky] + (ix0 + kx * dw) * c;
          CK_VT wv = wr[ky * KW + kx];
          a0 += CK_LD(q) * wv;
          a1 += CK_LD(q + sc) * wv;
          a2 += CK_LD(q + 2 * sc) * wv;
          a3 += CK_LD(q + 3 * sc) * wv;
        }
      }
      if (clamp) {
        a0 = CK_MIN(CK_MAX(a0, vlo), vhi);
        a1 = CK_MIN(CK_MAX(a1, vlo), vhi);
        a2 = CK_MIN(CK_MAX(a2, vlo), vhi);
        a3 = CK_MIN(CK_MAX(a3, vlo), vhi);
      }
      CK_ST(o + ox * c, a0);
      CK_ST(o + (ox + 1) * c, a1);
      CK_ST(o + (ox + 2) * c, a2);
      CK_ST(o + (ox + 3) * c, a3);
      ox += 4;
      continue;
    }
    // One pixel; taps outside the input columns are skipped.
    int kx0 = ix0 >= 0 ? 0 : (int)((-ix0 + dw - 1) / dw);
    int kx1 = (w - 1 - ix0) >= 0 ? (int)((w - 1 - ix0) / dw) + 1 : 0;
    CK_VT acc = bias;
    for (int ky = 0; ky < KH; ky++) {
      if (ky < ky0 || ky >= ky1) continue;
      for (int kx = 0; kx < KW; kx++) {
        if (kx < kx0 || kx >= kx1) continue;
        acc += CK_LD(rows[ky] + (ix0 + kx * dw) * c) * wr[ky * KW + kx];
      }
    }
    if (clamp) acc = CK_MIN(CK_MAX(acc, vlo), vhi);
    CK_ST(o + ox * c, acc);
    ox++;
  }
}

CK_INLINE void CK_FN(CK_DWNAME)(const ck_conv_params *P, const float *in, const float *blk, float *out,
                                int oy, int c0) {
  const int c = P->c, h = P->h, w = P->w, kh = P->kh, kw = P->kw, dh = P->dh, dw = P->dw, sw = P->sw;
  const int T = kh * kw;
  int iy0 = oy * P->sh - P->pad_top;
  int ky0 = iy0 >= 0 ? 0 : (-iy0 + dh - 1) / dh;
  int ky1 = (h - 1 - iy0) >= 0 ? (h - 1 - iy0) / dh + 1 : 0;
  if (ky1 > kh) ky1 = kh;
  // Interior columns: every kx tap lands inside [0, w).
  int oxA = (P->pad_left + sw - 1) / sw;
  if (oxA > P->ow) oxA = P->ow;
  int lastOk = w - 1 - (kw - 1) * dw + P->pad_left;  // ox·sw ≤ lastOk
  int oxB = lastOk >= 0 ? lastOk / sw + 1 : 0;
  if (oxB > P->ow) oxB = P->ow;
  if (oxB < oxA) oxB = oxA;
  if (ky1 < ky0) ky1 = ky0;
  if (kh == 3 && kw == 3) {
    CK_CAT(CK_FN(CK_DWNAME), fixed)(3, 3, P, in, blk, out, oy, c0, ky0, ky1, oxA, oxB);
    return;
  }
  if (kh == 5 && kw == 5) {
    CK_CAT(CK_FN(CK_DWNAME), fixed)(5, 5, P, in, blk, out, oy, c0, ky0, ky1, oxA, oxB);
    return;
  }
  // Other kernel sizes: every pixel bounds-checked, weights read from memory.
  CK_VT bias = CK_LD(blk + T * 16);
  CK_VT vlo = CK_SPLAT(P->lo), vhi = CK_SPLAT(P->hi);
  for (int ox = 0; ox < P->ow; ox++) {
    int ix0 = ox * sw - P->pad_left;
    int kx0 = ix0 >= 0 ? 0 : (-ix0 + dw - 1) / dw;
    int kx1 = (w - 1 - ix0) >= 0 ? (w - 1 - ix0) / dw + 1 : 0;
    if (kx1 > kw) kx1 = kw;
    CK_VT acc = bias;
    for (int ky = ky0; ky < ky1; ky++) {
      const float *row = in + ((long)(iy0 + ky * dh) * w) * c + c0;
      for (int kx = kx0; kx < kx1; kx++)
        acc += CK_LD(row + (long)(ix0 + kx * dw) * c) * CK_LD(blk + (ky * kw + kx) * 16);
    }
    if (P->clamp) acc = CK_MIN(CK_MAX(acc, vlo), vhi);
    CK_ST(out + ((long)oy * P->ow + ox) * c + c0, acc);
  }
}

#undef CK_VT
#undef CK_VL
#undef CK_LD
#undef CK_ST
#undef CK_SPLAT
#undef CK_MAX
#undef CK_MIN
#undef CK_DWNAME
