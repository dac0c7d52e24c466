// PoseEstimation: ROI → model input (MediaPipe ImageToTensor with OpenCV 3.4's bit-exact perspective warp).
import Foundation
import MediaIO
import NeuralEngine

/// A rotated rectangle in pixels, float32 as MediaPipe's `RotatedRect` keeps it.
struct PixelRect: Equatable {
  var centerX: Float
  var centerY: Float
  var width: Float
  var height: Float
  /// Radians.
  var rotation: Float
}

/// The letterbox padding a model input got, as fractions of the tensor: [left, top, right, bottom].
struct LetterboxPadding: Equatable {
  var left = 0.0
  var top = 0.0
  var right = 0.0
  var bottom = 0.0
}

/// How pixels outside the image are filled.
enum WarpBorder {
  /// Outside taps are 0 (cv::BORDER_CONSTANT with value 0).
  case zero
  /// Coordinates are clamped to the image (cv::BORDER_REPLICATE).
  case replicate
}

/// MediaPipe's ImageToTensorCalculator on the OpenCV path, reproduced bit for bit.
///
/// The wheel builds OpenCV 3.4.10 from source. Corner points, the perspective matrix, its inverse and the
/// fixed-point bilinear warp follow that code, including its float32 / float64 mix, so that the u8 image fed to
/// the networks is the same as MediaPipe's (checked against OpenCV 3.4.18 by tools/fixtures/pipeline_replay.py).
enum ImageToTensor {
  /// The ROI in pixels (GetRoi): the whole image for nil, else the normalized rect scaled in float32.
  static func pixelRect(_ rect: NormalizedRect?, imageWidth: Int, imageHeight: Int) -> PixelRect {
    let w = Float(imageWidth)
    let h = Float(imageHeight)
    guard let r = rect else {
      return PixelRect(centerX: 0.5 * w, centerY: 0.5 * h, width: w, height: h, rotation: 0)
    }
    return PixelRect(
      centerX: Float(r.xCenter) * w, centerY: Float(r.yCenter) * h, width: Float(r.width) * w,
      height: Float(r.height) * h, rotation: Float(r.rotation))
  }

  /// PadRoi with keep_aspect_ratio: grows `rect` to the tensor's aspect ratio. Nil when the ROI has no area
  /// (or is NaN), where MediaPipe fails.
  static func padRect(_ rect: inout PixelRect, outWidth: Int, outHeight: Int) -> LetterboxPadding? {
    guard rect.width > 0, rect.height > 0, outWidth > 0, outHeight > 0 else { return nil }
    let tensorAspect = Float(outHeight) / Float(outWidth)
    let roiAspect = rect.height / rect.width
    var pad = LetterboxPadding()
    if tensorAspect > roiAspect {
      rect.height = rect.width * tensorAspect
      let v = Double((1 - roiAspect / tensorAspect) / 2)
      pad.top = v
      pad.bottom = v
    } else {
      rect.width = rect.height / tensorAspect
      let h = Double((1 - tensorAspect / roiAspect) / 2)
      pad.left = h
      pad.right = h
    }
    return pad
  }

  /// cv::boxPoints of `rect` as MediaPipe builds it (angle = rotation · 180 / π), in float32:
  /// bottom-left, top-left, top-right, bottom-right for an unrotated rect.
  static func corners(_ rect: PixelRect) -> [SIMD2<Float>] {
    let degrees = Float(Double(rect.rotation * 180) / Double.pi)
    return boxPoints(
      centerX: rect.centerX, centerY: rect.centerY, width: rect.width, height: rect.height, degrees: degrees)
  }

  /// cv::RotatedRect::points (OpenCV 3.4): cos and sin in double, everything else in float32.
  static func boxPoints(centerX cx: Float, centerY cy: Float, width w: Float, height h: Float, degrees: Float)
    -> [SIMD2<Float>]
  {
    let angle = Double(degrees) * Double.pi / 180.0
    let b = Float(cos(angle)) * 0.5
    let a = Float(sin(angle)) * 0.5
    let p0 = SIMD2(cx - a * h - b * w, cy + b * h - a * w)
    let p1 = SIMD2(cx + a * h - b * w, cy - b * h - a * w)
    let p2 = SIMD2(2 * cx - p0.x, 2 * cy - p0.y)
    let p3 = SIMD2(2 * cx - p1.x, 2 * cy - p1.y)
    return [p0, p1, p2, p3]
  }

  /// cv::getPerspectiveTransform(src, dst) (DECOMP_LU): the row-major 3×3 matrix mapping the 4 `src` points to
  /// the 4 `dst` points, or nil for a degenerate quadrilateral.
  static func perspectiveTransform(from src: [SIMD2<Float>], to dst: [SIMD2<Float>]) -> [Double]? {
    guard src.count == 4, dst.count == 4 else { return nil }
    var a = [Double](repeating: 0, count: 64)
    var b = [Double](repeating: 0, count: 8)
    for i in 0..<4 {
      let s = src[i]
      let d = dst[i]
      a[i * 8 + 0] = Double(s.x)
      a[(i + 4) * 8 + 3] = Double(s.x)
      a[i * 8 + 1] = Double(s.y)
      a[(i + 4) * 8 + 4] = Double(s.y)
      a[i * 8 + 2] = 1
      a[(i + 4) * 8 + 5] = 1
      // float × float in float, as in the C++ source (Point2f members)
      a[i * 8 + 6] = Double(-s.x * d.x)
      a[i * 8 + 7] = Double(-s.y * d.x)
      a[(i + 4) * 8 + 6] = Double(-s.x * d.y)
      a[(i + 4) * 8 + 7] = Double(-s.y * d.y)
      b[i] = Double(d.x)
      b[i + 4] = Double(d.y)
    }
    guard solveLU(&a, &b, n: 8) else { return nil }
    return b + [1]
  }

  /// cv::hal::LU64f: Gaussian elimination with partial pivoting on the row-major n×n `a`, solving a·x = b in
  /// place (x in `b`). False when a pivot is below 100·DBL_EPSILON.
  static func solveLU(_ a: inout [Double], _ b: inout [Double], n: Int) -> Bool {
    let eps = Double.ulpOfOne * 100
    for i in 0..<n {
      var k = i
      for j in (i + 1)..<n where abs(a[j * n + i]) > abs(a[k * n + i]) { k = j }
      // `!(x >= eps)` also rejects NaN pivots
      if !(abs(a[k * n + i]) >= eps) { return false }
      if k != i {
        for j in i..<n { a.swapAt(i * n + j, k * n + j) }
        b.swapAt(i, k)
      }
      let d = -1 / a[i * n + i]
      for j in (i + 1)..<n {
        let alpha = a[j * n + i] * d
        for c in (i + 1)..<n { a[j * n + c] += alpha * a[i * n + c] }
        b[j] += alpha * b[i]
      }
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      var s = b[i]
      for c in (i + 1)..<n { s -= a[i * n + c] * b[c] }
      b[i] = s / a[i * n + i]
    }
    return true
  }

  /// cv::invert(DECOMP_LU) of a row-major 3×3 double matrix (OpenCV's closed-form cofactor branch), or nil
  /// when the determinant is 0 (or NaN).
  static func invert3x3(_ m: [Double]) -> [Double]? {
    guard m.count == 9 else { return nil }
    func s(_ r: Int, _ c: Int) -> Double { m[r * 3 + c] }
    var d = s(0, 0) * (s(1, 1) * s(2, 2) - s(1, 2) * s(2, 1))
    d -= s(0, 1) * (s(1, 0) * s(2, 2) - s(1, 2) * s(2, 0))
    d += s(0, 2) * (s(1, 0) * s(2, 1) - s(1, 1) * s(2, 0))
    guard d != 0, !d.isNaN else { return nil }
    d = 1 / d
    return [
      (s(1, 1) * s(2, 2) - s(1, 2) * s(2, 1)) * d, (s(0, 2) * s(2, 1) - s(0, 1) * s(2, 2)) * d,
      (s(0, 1) * s(1, 2) - s(0, 2) * s(1, 1)) * d, (s(1, 2) * s(2, 0) - s(1, 0) * s(2, 2)) * d,
      (s(0, 0) * s(2, 2) - s(0, 2) * s(2, 0)) * d, (s(0, 2) * s(1, 0) - s(0, 0) * s(1, 2)) * d,
      (s(1, 0) * s(2, 1) - s(1, 1) * s(2, 0)) * d, (s(0, 1) * s(2, 0) - s(0, 0) * s(2, 1)) * d,
      (s(0, 0) * s(1, 1) - s(0, 1) * s(1, 0)) * d,
    ]
  }

  /// The 4 destination corners matching `corners`: (0,H), (0,0), (W,0), (W,H).
  static func tensorCorners(width: Int, height: Int) -> [SIMD2<Float>] {
    let w = Float(width)
    let h = Float(height)
    return [SIMD2(0, h), SIMD2(0, 0), SIMD2(w, 0), SIMD2(w, h)]
  }

  /// Warps the region `rect` of `image` into `outWidth`×`outHeight` RGB u8 pixels in `dst` (keep_aspect_ratio
  /// padding applied) and returns the letterbox padding, or nil (dst untouched) when the rect has no area.
  static func warp(
    _ image: Image, rect: NormalizedRect?, outWidth: Int, outHeight: Int, border: WarpBorder,
    into dst: UnsafeMutableBufferPointer<UInt8>, threads: Int = 1
  ) -> LetterboxPadding? {
    var r = pixelRect(rect, imageWidth: image.width, imageHeight: image.height)
    guard let pad = padRect(&r, outWidth: outWidth, outHeight: outHeight) else { return nil }
    let m = perspectiveTransform(from: corners(r), to: tensorCorners(width: outWidth, height: outHeight))
    warpPerspective(
      image, matrix: m, outWidth: outWidth, outHeight: outHeight, border: border, into: dst, threads: threads)
    return pad
  }

  /// cv::warpPerspective(src, M, (outWidth, outHeight), INTER_LINEAR, border) for 8-bit RGB, bit-exact with
  /// OpenCV 3.4: the inverse map is evaluated in double per 64×16 block as OpenCV does, rounded half-to-even
  /// to 1/32 pixel, and interpolated with integer weights summing to 32768. A nil or singular `matrix` gives
  /// an all-zero image. `dst` must hold outWidth·outHeight·3 bytes (otherwise nothing is written). Output
  /// rows are split between `threads` threads; each row is computed the same way, so the bytes do not
  /// depend on the thread count.
  static func warpPerspective(
    _ image: Image, matrix: [Double]?, outWidth: Int, outHeight: Int, border: WarpBorder,
    into dst: UnsafeMutableBufferPointer<UInt8>, threads: Int = 1
  ) {
    guard outWidth > 0, outHeight > 0, outWidth <= 1 << 15, outHeight <= 1 << 15,
      dst.count >= outWidth * outHeight * 3
    else { return }
    guard let matrix, let inv = invert3x3(matrix) else {
      for i in 0..<(outWidth * outHeight * 3) { dst[i] = 0 }
      return
    }
    let blockHeight = min(16, outHeight)
    let blockWidth = min(1024 / blockHeight, outWidth)
    // Per-column terms of a block: M[0]·x1, M[3]·x1, M[6]·x1 for x1 in 0..<blockWidth.
    var colX = [Double](repeating: 0, count: blockWidth)
    var colY = [Double](repeating: 0, count: blockWidth)
    var colW = [Double](repeating: 0, count: blockWidth)
    for x1 in 0..<blockWidth {
      colX[x1] = inv[0] * Double(x1)
      colY[x1] = inv[3] * Double(x1)
      colW[x1] = inv[6] * Double(x1)
    }
    // With M[6] = M[7] = 0 (an affine map), W = M[8] everywhere: the division is hoisted, same bits.
    let affine = inv[6] == 0 && inv[7] == 0
    let srcW = image.width
    let srcH = image.height
    image.pixels.withUnsafeBufferPointer { src in
      colX.withUnsafeBufferPointer { colX in
        colY.withUnsafeBufferPointer { colY in
          colW.withUnsafeBufferPointer { colW in
            parallelRows(outHeight, threads: threads, minimum: 8) { rows in
              for y in rows {
                let fy = Double(y)
                var xb = 0
                while xb < outWidth {
                  let bw = min(blockWidth, outWidth - xb)
                  let fxb = Double(xb)
                  let x0 = inv[0] * fxb + inv[1] * fy + inv[2]
                  let y0 = inv[3] * fxb + inv[4] * fy + inv[5]
                  let w0 = inv[6] * fxb + inv[7] * fy + inv[8]
                  let affineScale = w0 != 0 ? 32 / w0 : 0
                  var out = (y * outWidth + xb) * 3
                  for x1 in 0..<bw {
                    var scale = affineScale
                    if !affine {
                      let w = w0 + colW[x1]
                      scale = w != 0 ? 32 / w : 0
                    }
                    let fx = roundToInt32((x0 + colX[x1]) * scale)
                    let fyv = roundToInt32((y0 + colY[x1]) * scale)
                    let sx = Int(min(max(fx >> 5, -32768), 32767))
                    let sy = Int(min(max(fyv >> 5, -32768), 32767))
                    let ax = Int32(fx & 31)
                    let ay = Int32(fyv & 31)
                    let w00 = (32 - ay) * (32 - ax) * 32
                    let w01 = (32 - ay) * ax * 32
                    let w10 = ay * (32 - ax) * 32
                    let w11 = ay * ax * 32
                    if sx >= 0 && sy >= 0 && sx < srcW - 1 && sy < srcH - 1 {
                      let p0 = (sy * srcW + sx) * 3
                      let p1 = p0 + srcW * 3
                      for c in 0..<3 {
                        var v = Int32(src[p0 + c]) * w00 + Int32(src[p0 + 3 + c]) * w01
                        v += Int32(src[p1 + c]) * w10 + Int32(src[p1 + 3 + c]) * w11
                        dst[out + c] = UInt8(truncatingIfNeeded: (v + 16384) >> 15)
                      }
                    } else if border == .zero && (sx >= srcW || sx + 1 < 0 || sy >= srcH || sy + 1 < 0) {
                      dst[out] = 0
                      dst[out + 1] = 0
                      dst[out + 2] = 0
                    } else {
                      var x0i = sx
                      var x1i = sx + 1
                      var y0i = sy
                      var y1i = sy + 1
                      var ok00 = true
                      var ok01 = true
                      var ok10 = true
                      var ok11 = true
                      if border == .replicate {
                        x0i = min(max(x0i, 0), srcW - 1)
                        x1i = min(max(x1i, 0), srcW - 1)
                        y0i = min(max(y0i, 0), srcH - 1)
                        y1i = min(max(y1i, 0), srcH - 1)
                      } else {
                        let x0ok = x0i >= 0 && x0i < srcW
                        let x1ok = x1i >= 0 && x1i < srcW
                        let y0ok = y0i >= 0 && y0i < srcH
                        let y1ok = y1i >= 0 && y1i < srcH
                        ok00 = y0ok && x0ok
                        ok01 = y0ok && x1ok
                        ok10 = y1ok && x0ok
                        ok11 = y1ok && x1ok
                      }
                      for c in 0..<3 {
                        let v00 = ok00 ? Int32(src[(y0i * srcW + x0i) * 3 + c]) : 0
                        let v01 = ok01 ? Int32(src[(y0i * srcW + x1i) * 3 + c]) : 0
                        let v10 = ok10 ? Int32(src[(y1i * srcW + x0i) * 3 + c]) : 0
                        let v11 = ok11 ? Int32(src[(y1i * srcW + x1i) * 3 + c]) : 0
                        let v = v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11
                        dst[out + c] = UInt8(truncatingIfNeeded: (v + 16384) >> 15)
                      }
                    }
                    out += 3
                  }
                  xb += blockWidth
                }
              }
            }
          }
        }
      }
    }
  }

  /// std::max(INT_MIN, std::min(INT_MAX, v)) then cvRound (half to even); NaN gives INT_MAX as in OpenCV.
  @inline(__always)
  static func roundToInt32(_ v: Double) -> Int32 {
    let upper = Double(Int32.max)
    let lower = Double(Int32.min)
    let clampedHigh = v < upper ? v : upper
    let clamped = lower < clampedHigh ? clampedHigh : lower
    return Int32(clamped.rounded(.toNearestOrEven))
  }

  /// The float32 value of each u8 for the range [lo, hi], as the wheel's ImageToTensorCalculator computes
  /// it: one fused multiply-add, `fma(u8, Float(hi − lo) / 255, Float(lo))` (checked against the wheel's
  /// tensors in tools/fixtures/engine_parity.py; numpy's two roundings differ by 1 ulp on 158 of 256 values).
  static func conversionTable(lo: Double, hi: Double) -> [Float] {
    let scale = Float(hi - lo) / 255
    let offset = Float(lo)
    return (0..<256).map { offset.addingProduct(Float($0), scale) }
  }

  /// Converts `count` u8 values to float32 through `table` (256 entries).
  static func convert(
    _ src: UnsafeBufferPointer<UInt8>, table: [Float], into dst: UnsafeMutableBufferPointer<Float>
  ) {
    let n = min(src.count, dst.count)
    table.withUnsafeBufferPointer { t in
      guard t.count == 256 else { return }
      for i in 0..<n { dst[i] = t[Int(src[i])] }
    }
  }
}
