// NeuralEngine: DEPTHWISE_CONV_2D as hand loops over NHWC, vectorised over channels.
import ModelIO

final class DepthwiseConv2DKernel: Kernel {
  let input: Int, output: Int
  // weights: [kh, kw, cout] with cout = cin · multiplier
  let weights: UnsafeMutablePointer<Float>
  // bias: [cout]
  let bias: UnsafeMutablePointer<Float>
  let h: Int, w: Int, cin: Int, oh: Int, ow: Int, cout: Int, mult: Int
  let kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, padTop: Int, padLeft: Int
  let act: FusedActivation
  let scratchCount = 0
  /// Output rows are split between this many threads.
  let threads: Int
  /// Stride-1, multiplier-1 fast path: per tap, the tap's weights tiled over a whole output row
  /// ([kh·kw, ow·cout]), and the bias tiled likewise ([ow·cout]), so each tap is one long fused
  /// multiply-add over contiguous memory.
  let tiledWeights: UnsafeMutablePointer<Float>?
  let tiledBias: UnsafeMutablePointer<Float>?
  /// Register-blocked path (multiplier 1, channels a multiple of 8): each output pixel's 8-channel block
  /// accumulates every tap in a register, four neighbouring pixels at a time in the interior.
  let blocked: Bool

  init(_ ctx: PrepareContext) throws {
    guard
      case .depthwiseConv2D(let padding, let strideW, let strideH, let m, let a, let dilW, let dilH) =
        ctx.op.options
    else { throw ctx.fail("missing DepthwiseConv2DOptions") }
    threads = ctx.threads
    input = try ctx.dataInput(0)
    output = try ctx.output()
    let filter = try ctx.input(1)
    let ins = try ctx.shape(input, rank: 4, "input")
    let fs = try ctx.shape(filter, rank: 4, "filter")
    guard ins[0] == 1, fs[0] == 1 else { throw ctx.fail("batch 1 and filter [1, kh, kw, c] only") }
    (h, w, cin) = (ins[1], ins[2], ins[3])
    (kh, kw, cout) = (fs[1], fs[2], fs[3])
    guard cout % cin == 0 else { throw ctx.fail("filter depth \(cout) is not a multiple of \(cin)") }
    mult = cout / cin
    guard m == 0 || m == mult else { throw ctx.fail("depth multiplier \(m) disagrees with shapes") }
    (sh, sw, dh, dw) = (strideH, strideW, dilH, dilW)
    guard let gy = convGeometry(input: h, filter: kh, stride: sh, dilation: dh, padding: padding),
      let gx = convGeometry(input: w, filter: kw, stride: sw, dilation: dw, padding: padding)
    else { throw ctx.fail("invalid geometry: input \(ins), filter \(fs)") }
    (oh, padTop, ow, padLeft) = (gy.out, gy.padBefore, gx.out, gx.padBefore)
    try ctx.expectOutput(output, [1, oh, ow, cout])
    act = try FusedActivation(a, ctx)
    let wv = try ctx.constant(filter, count: kh * kw * cout, "filter")
    weights = .allocate(capacity: wv.count)
    weights.initialize(from: wv, count: wv.count)
    bias = .allocate(capacity: cout)
    if let b = ctx.optionalInput(2) {
      bias.initialize(from: try ctx.constant(b, count: cout, "bias"), count: cout)
    } else {
      bias.initialize(repeating: 0, count: cout)
    }
    blocked = mult == 1 && cout % 8 == 0 && (sh > 1 || sw > 1)
    if sh == 1 && sw == 1 && mult == 1 && !blocked {
      let row = ow * cout
      let tw = UnsafeMutablePointer<Float>.allocate(capacity: kh * kw * row)
      for tap in 0..<(kh * kw) {
        for ox in 0..<ow { (tw + tap * row + ox * cout).initialize(from: weights + tap * cout, count: cout) }
      }
      let tb = UnsafeMutablePointer<Float>.allocate(capacity: row)
      for ox in 0..<ow { (tb + ox * cout).initialize(from: bias, count: cout) }
      tiledWeights = tw
      tiledBias = tb
    } else {
      tiledWeights = nil
      tiledBias = nil
    }
  }

  deinit {
    weights.deallocate()
    bias.deallocate()
    tiledWeights?.deallocate()
    tiledBias?.deallocate()
  }

  @inline(__always)
  private static func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  private static func activate(_ v: SIMD8<Float>, _ act: FusedActivation) -> SIMD8<Float> {
    switch act {
    case .none: return v
    case .relu: return pointwiseMax(v, SIMD8(repeating: 0))
    case .relu6: return pointwiseMin(pointwiseMax(v, SIMD8(repeating: 0)), SIMD8(repeating: 6))
    case .reluN1To1: return pointwiseMin(pointwiseMax(v, SIMD8(repeating: -1)), SIMD8(repeating: 1))
    }
  }

  /// Multiplier 1, channels a multiple of 8: out[oy, ox, c:c+8] = bias + Σ_taps in · w, accumulated in
  /// SIMD8 registers. Interior pixels (every tap inside the image) go four at a time, sharing each
  /// weight load; border pixels skip the taps that fall outside.
  private func runBlocked(_ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
    let c = cout
    let (w, kw, sw, dw, padLeft) = (self.w, self.kw, self.sw, self.dw, self.padLeft)
    let act = self.act
    // Interior columns: every kx tap lands inside [0, w).
    let oxA = min(ow, max(0, (padLeft + sw - 1) / sw))
    let lastOk = w - 1 - (kw - 1) * dw + padLeft  // ox·sw ≤ lastOk
    let oxB = max(oxA, min(ow, lastOk >= 0 ? lastOk / sw + 1 : 0))
    parallelRows(oh, threads: threads) { rows in
      for oy in rows {
        let iy0 = oy * sh - padTop
        let ky0 = iy0 >= 0 ? 0 : (-iy0 + dh - 1) / dh
        let ky1 = min(kh, (h - 1 - iy0) >= 0 ? (h - 1 - iy0) / dh + 1 : 0)
        let outRow = dst + oy * ow * c
        func pixel(_ ox: Int) {
          let ix0 = ox * sw - padLeft
          let kx0 = ix0 >= 0 ? 0 : (-ix0 + dw - 1) / dw
          let kx1 = min(kw, (w - 1 - ix0) >= 0 ? (w - 1 - ix0) / dw + 1 : 0)
          var cb = 0
          while cb < c {
            var acc = Self.load8(bias + cb)
            if ky0 < ky1 && kx0 < kx1 {
              for ky in ky0..<ky1 {
                let rowIn = src + ((iy0 + ky * dh) * w) * c + cb
                let rowW = weights + ky * kw * c + cb
                for kx in kx0..<kx1 {
                  acc = acc + Self.load8(rowIn + (ix0 + kx * dw) * c) * Self.load8(rowW + kx * c)
                }
              }
            }
            UnsafeMutableRawPointer(outRow + ox * c + cb).storeBytes(
              of: Self.activate(acc, act), as: SIMD8<Float>.self)
            cb += 8
          }
        }
        var ox = 0
        while ox < oxA {
          pixel(ox)
          ox += 1
        }
        // Interior, four pixels at a time.
        while ox + 4 <= oxB {
          let ix0 = ox * sw - padLeft
          var cb = 0
          while cb < c {
            let b = Self.load8(bias + cb)
            var a0 = b, a1 = b, a2 = b, a3 = b
            if ky0 < ky1 {
              for ky in ky0..<ky1 {
                let rowIn = src + ((iy0 + ky * dh) * w + ix0) * c + cb
                let rowW = weights + ky * kw * c + cb
                for kx in 0..<kw {
                  let wv = Self.load8(rowW + kx * c)
                  let p = rowIn + kx * dw * c
                  a0 = a0 + Self.load8(p) * wv
                  a1 = a1 + Self.load8(p + sw * c) * wv
                  a2 = a2 + Self.load8(p + 2 * sw * c) * wv
                  a3 = a3 + Self.load8(p + 3 * sw * c) * wv
                }
              }
            }
            let o = outRow + ox * c + cb
            UnsafeMutableRawPointer(o).storeBytes(of: Self.activate(a0, act), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(o + c).storeBytes(of: Self.activate(a1, act), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(o + 2 * c).storeBytes(of: Self.activate(a2, act), as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(o + 3 * c).storeBytes(of: Self.activate(a3, act), as: SIMD8<Float>.self)
            cb += 8
          }
          ox += 4
        }
        while ox < ow {
          pixel(ox)
          ox += 1
        }
      }
    }
  }

  /// Stride 1, multiplier 1: for each output row and tap, out[j] += in[j + shift] · w[j] over the
  /// run of output columns whose input column is inside the image.
  private func runTiled(
    _ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
    _ tw: UnsafeMutablePointer<Float>, _ tb: UnsafeMutablePointer<Float>
  ) {
    let c = cout
    let row = ow * c
    parallelRows(oh, threads: threads) { rows in
      for oy in rows {
        let out = dst + oy * row
        out.update(from: tb, count: row)
        for ky in 0..<kh {
          let iy = oy - padTop + ky * dh
          if iy < 0 || iy >= h { continue }
          let inRow = src + iy * w * c
          for kx in 0..<kw {
            let shift = kx * dw - padLeft  // input column = output column + shift
            let ox0 = max(0, -shift), ox1 = min(ow, w - shift)
            if ox0 >= ox1 { continue }
            let n = (ox1 - ox0) * c
            let o = out + ox0 * c
            let x = inRow + (ox0 + shift) * c
            let wt = tw + (ky * kw + kx) * row + ox0 * c
            for j in 0..<n { o[j] += x[j] * wt[j] }
          }
        }
        applyActivation(act, out, row)
      }
    }
  }

  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>) {
    let src = t[input], dst = t[output]
    if blocked {
      runBlocked(src, dst)
      return
    }
    if let tw = tiledWeights, let tb = tiledBias {
      runTiled(src, dst, tw, tb)
      return
    }
    let (cin, cout, mult) = (self.cin, self.cout, self.mult)
    for oy in 0..<oh {
      for ox in 0..<ow {
        let acc = dst + (oy * ow + ox) * cout
        acc.update(from: bias, count: cout)
        for ky in 0..<kh {
          let iy = oy * sh - padTop + ky * dh
          if iy < 0 || iy >= h { continue }
          for kx in 0..<kw {
            let ix = ox * sw - padLeft + kx * dw
            if ix < 0 || ix >= w { continue }
            let px = src + (iy * w + ix) * cin
            let wk = weights + (ky * kw + kx) * cout
            if mult == 1 {
              for c in 0..<cout { acc[c] += px[c] * wk[c] }
            } else {
              for c in 0..<cin {
                for j in 0..<mult { acc[c * mult + j] += px[c] * wk[c * mult + j] }
              }
            }
          }
        }
        applyActivation(act, acc, cout)
      }
    }
  }
}
