// PoseEstimation: MediaPipe's landmark smoothing (one-euro filter, visibility low-pass), float32 state.

/// MediaPipe's LowPassFilter: float32 state; `alpha·v` in float, the blend in double.
struct LowPassFilter {
  private(set) var initialized = false
  private(set) var lastRaw: Float = 0
  private(set) var stored: Float = 0

  /// Filters `value` with weight `alpha` on the new value; the first value passes through.
  mutating func apply(_ value: Float, alpha: Float) -> Float {
    let result: Float
    if initialized {
      result = Float(Double(alpha * value) + (1.0 - Double(alpha)) * Double(stored))
    } else {
      result = value
      initialized = true
    }
    lastRaw = value
    stored = result
    return result
  }
}

/// MediaPipe's OneEuroFilter (one_euro_filter.cc): double math on float32 low-pass states.
struct OneEuroFilter {
  private var frequency: Double
  private let minCutoff: Double
  private let beta: Double
  private let derivateCutoff: Double
  private var x = LowPassFilter()
  private var dx = LowPassFilter()
  private var lastNanos: Int64 = 0

  /// Parameters come from float proto fields, hence the float32 rounding.
  init(minCutoff: Float, beta: Float, derivateCutoff: Float = 1, frequency: Float = 30) {
    self.frequency = Double(frequency)
    self.minCutoff = Double(minCutoff)
    self.beta = Double(beta)
    self.derivateCutoff = Double(derivateCutoff)
  }

  private func alpha(_ cutoff: Double) -> Double {
    let te = 1.0 / frequency
    let tau = 1.0 / (2 * Double.pi * cutoff)
    return 1.0 / (1.0 + tau / te)
  }

  /// Filters `value` observed at `nanos`; a timestamp not after the previous one returns `value` unchanged.
  mutating func apply(nanos: Int64, valueScale: Double, value: Double) -> Double {
    if lastNanos >= nanos { return value }
    if lastNanos != 0 && nanos != 0 { frequency = 1.0 / (Double(nanos - lastNanos) * 1e-9) }
    lastNanos = nanos
    let dvalue = x.initialized ? (value - Double(x.lastRaw)) * valueScale * frequency : 0.0
    let edvalue = Double(dx.apply(Float(dvalue), alpha: Float(alpha(derivateCutoff))))
    let cutoff = minCutoff + beta * abs(edvalue)
    return Double(x.apply(Float(value), alpha: Float(alpha(cutoff))))
  }
}

/// One landmark stream's smoothing: visibility low-pass (α 0.1) and a one-euro filter per coordinate.
///
/// With `normalized`, points are normalized image coordinates filtered in pixels (x·W, y·H, z·W) with value
/// scale 1/object_scale, then converted back in float32; otherwise (world landmarks) they are filtered as is.
struct LandmarkSmoother {
  private var visibility: [LowPassFilter]
  private var coordinates: [OneEuroFilter]
  private let normalized: Bool
  /// Below this object scale the coordinates pass through unfiltered.
  static let minAllowedObjectScale: Float = 1e-6

  init(count: Int, minCutoff: Float, beta: Float, normalized: Bool) {
    visibility = Array(repeating: LowPassFilter(), count: count)
    coordinates = Array(repeating: OneEuroFilter(minCutoff: minCutoff, beta: beta), count: count * 3)
    self.normalized = normalized
  }

  /// Smooths `points` (with their `visibilities`) observed at `nanos`.
  mutating func apply(
    points: [SIMD3<Double>], visibilities: [Double], nanos: Int64, imageWidth: Int, imageHeight: Int,
    objectScale: Float
  ) -> (points: [SIMD3<Double>], visibilities: [Double]) {
    let n = min(points.count, visibilities.count, visibility.count)
    var vis = [Double](repeating: 0, count: n)
    for i in 0..<n { vis[i] = Double(visibility[i].apply(Float(visibilities[i]), alpha: 0.1)) }
    var valueScale = 1.0
    if normalized {
      if !(objectScale >= Self.minAllowedObjectScale) { return (Array(points[0..<n]), vis) }
      valueScale = Double(Float(1) / objectScale)
    }
    let w = Float(imageWidth)
    let h = Float(imageHeight)
    var out = [SIMD3<Double>](repeating: .zero, count: n)
    for i in 0..<n {
      let p = points[i]
      var values: SIMD3<Double>
      if normalized {
        values = SIMD3(Double(Float(p.x) * w), Double(Float(p.y) * h), Double(Float(p.z) * w))
      } else {
        values = SIMD3(Double(Float(p.x)), Double(Float(p.y)), Double(Float(p.z)))
      }
      var f = SIMD3<Float>.zero
      for k in 0..<3 {
        f[k] = Float(coordinates[i * 3 + k].apply(nanos: nanos, valueScale: valueScale, value: values[k]))
      }
      if normalized {
        out[i] = SIMD3(Double(f.x / w), Double(f.y / h), Double(f.z / w))
      } else {
        out[i] = SIMD3(Double(f.x), Double(f.y), Double(f.z))
      }
    }
    return (out, vis)
  }
}
