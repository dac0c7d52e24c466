// PoseLifting: the lifter's residual MLP at inference — loaded from a lifter file's tensors with its
// batch norms folded, run on rows of normalised 2D with caller-provided scratch.

/// The residual MLP of `ResidualMLPConfig` in evaluation mode.
///
/// Each hidden linear layer is followed by its norm and a ReLU: batch norm is folded into the layer and
/// the ReLU is the GEMM's clamp; layer norm runs per row after the GEMM (`RowLayerNorm`, ReLU included);
/// with no norm the ReLU is the clamp. Dropout is the identity. A residual block adds its branch's output
/// to its input. The output layer carries `outputScale` (folded).
final class LifterNetwork {
  /// The shape.
  let config: ResidualMLPConfig
  private let input: Layer
  private let blocks: [(first: Layer, second: Layer)]
  private let output: PackedLinear

  /// A hidden linear layer and the layer norm after it (nil when folded or absent).
  private struct Layer {
    let linear: PackedLinear
    let norm: RowLayerNorm?

    func apply(
      rows: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, isa: Int32, threads: Int
    ) {
      linear.apply(rows: rows, x, y, isa: isa, threads: threads)
      norm?.apply(rows: rows, y)
    }
  }

  /// Reads the network named `prefix` from `file`; its output is multiplied by `outputScale`.
  ///
  /// - Throws: `LiftingError.badFile` for a missing tensor, a wrong shape or non-finite values.
  init(file: LifterFile, prefix: String, config: ResidualMLPConfig, outputScale: Double) throws {
    self.config = config
    let w = config.width
    func hidden(_ name: String, _ norm: String, inputs: Int) throws -> Layer {
      let weight = try file.tensor("\(prefix).\(name).weight", shape: [w, inputs])
      let bias = try file.row("\(prefix).\(name).bias", count: w)
      let n = "\(prefix).\(norm)"
      switch config.normalization {
      case .none:
        return Layer(
          linear: PackedLinear(weight: weight, bias: bias, inputs: inputs, outputs: w, relu: true), norm: nil)
      case .layer:
        let norm = RowLayerNorm(
          scale: try file.row("\(n).scale", count: w), shift: try file.row("\(n).shift", count: w),
          epsilon: Float(Normalization.epsilon))
        return Layer(
          linear: PackedLinear(weight: weight, bias: bias, inputs: inputs, outputs: w, relu: false),
          norm: norm)
      case .batch:
        let gamma = try file.row("\(n).scale", count: w)
        let beta = try file.row("\(n).shift", count: w)
        let mean = try file.row("\(n).running_mean", count: w)
        let variance = try file.row("\(n).running_variance", count: w)
        var a = [Double](repeating: 0, count: w)
        var c = [Double](repeating: 0, count: w)
        for j in 0..<w {
          a[j] = Double(gamma[j]) / (Double(variance[j]) + Normalization.epsilon).squareRoot()
          c[j] = Double(beta[j]) - a[j] * Double(mean[j])
        }
        return Layer(
          linear: PackedLinear(
            weight: weight, bias: bias, inputs: inputs, outputs: w, relu: true, scale: a, shift: c),
          norm: nil)
      }
    }
    input = try hidden("input", "input_norm", inputs: config.inputs)
    blocks = try (0..<config.blocks).map { b in
      (
        try hidden("block\(b).linear1", "block\(b).norm1", inputs: w),
        try hidden("block\(b).linear2", "block\(b).norm2", inputs: w)
      )
    }
    output = PackedLinear(
      weight: try file.tensor("\(prefix).output.weight", shape: [config.outputs, w]),
      bias: try file.row("\(prefix).output.bias", count: config.outputs), inputs: w, outputs: config.outputs,
      relu: false, scale: [Double](repeating: outputScale, count: config.outputs))
  }

  /// Floating-point operations per row (the GEMMs).
  var flopsPerRow: Int {
    input.linear.flopsPerRow
      + blocks.reduce(0) { $0 + $1.first.linear.flopsPerRow + $1.second.linear.flopsPerRow }
      + output.flopsPerRow
  }

  /// Floats of scratch per row `forward` needs.
  var scratchPerRow: Int { 3 * config.width }

  /// Runs rows `rows` of `x` (row stride `config.inputs`) into the same rows of `y` (row stride
  /// `config.outputs`), using the same rows of `scratch` (row stride `scratchPerRow`); each GEMM worth
  /// it splits its output columns among `threads` threads.
  func forward(
    rows: Range<Int>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, isa: Int32, threads: Int
  ) {
    let m = rows.count
    guard m > 0 else { return }
    let w = config.width
    let base = scratch + rows.lowerBound * scratchPerRow
    // Three blocks of m × w: the running activation h and the branch's two layers.
    let (h, t1, t2) = (base, base + m * w, base + 2 * m * w)
    input.apply(rows: m, x + rows.lowerBound * config.inputs, h, isa: isa, threads: threads)
    for block in blocks {
      block.first.apply(rows: m, h, t1, isa: isa, threads: threads)
      block.second.apply(rows: m, t1, t2, isa: isa, threads: threads)
      for i in 0..<(m * w) { h[i] = t2[i] + h[i] }
    }
    output.apply(rows: m, h, y + rows.lowerBound * config.outputs, isa: isa, threads: threads)
  }
}
