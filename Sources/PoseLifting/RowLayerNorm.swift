// PoseLifting: layer normalisation at inference — each row normalised over its features, then ReLU.

/// LayerNorm (Ba et al. 2016) followed by ReLU, in place on rows of `features` floats:
/// `y = max(0, γ · (x − mean) / √(var + ε) + β)` with the row's mean and biased variance.
struct RowLayerNorm {
  /// γ, one per feature.
  let scale: [Float]
  /// β, one per feature.
  let shift: [Float]
  /// Added to the variance.
  let epsilon: Float

  /// Number of features.
  var features: Int { scale.count }

  /// Normalises `rows` rows of `x` (row stride `features`) in place, then clamps them at 0.
  func apply(rows: Int, _ x: UnsafeMutablePointer<Float>) {
    let f = features
    let ff = Float(f)
    scale.withUnsafeBufferPointer { gb in
      shift.withUnsafeBufferPointer { bb in
        guard let g = gb.baseAddress, let b = bb.baseAddress else { return }
        for r in 0..<rows {
          let row = x + r * f
          let mean = Self.sum(row, f) { $0 } / ff
          let variance = Self.sum(row, f) { ($0 - mean) * ($0 - mean) } / ff
          let s = 1 / (variance + epsilon).squareRoot()
          for c in 0..<f {
            let v = g[c] * ((row[c] - mean) * s) + b[c]
            row[c] = v > 0 ? v : 0
          }
        }
      }
    }
  }

  /// Σ term(x[c]) over `count` floats, eight lanes at a time, then the tail.
  @inline(__always)
  private static func sum(
    _ x: UnsafeMutablePointer<Float>, _ count: Int, _ term: (SIMD8<Float>) -> SIMD8<Float>
  ) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    let raw = UnsafeRawPointer(x)
    var c = 0
    while c + 8 <= count {
      lanes += term(raw.loadUnaligned(fromByteOffset: 4 * c, as: SIMD8<Float>.self))
      c += 8
    }
    var total = lanes.sum()
    while c < count {
      total += term(SIMD8<Float>(repeating: x[c]))[0]
      c += 1
    }
    return total
  }
}
