// PoseLifting: a linear layer at inference — an affine map per output (BatchNorm in evaluation mode, an
// output scale) folded into its weights at load, packed for CKernels' GEMM, ReLU as the GEMM's clamp.

import CKernels
import NeuralEngine

/// `y = clamp(x · Wᵀ + b)` for a batch of rows, on CKernels' packed GEMM.
///
/// Folding: a following per-output affine map `z ↦ a_j·z + c_j` becomes `W'_j = a_j·W_j`,
/// `b'_j = a_j·b_j + c_j`. BatchNorm in evaluation mode is `a = γ / √(σ² + ε)`, `c = β − a·μ` (running mean
/// μ and variance σ²); an output scale s is `a = s`, `c = 0`. The fold is computed in Double, then rounded
/// to the Float the GEMM reads.
struct PackedLinear {
  /// Input features (k).
  let inputs: Int
  /// Output features (n).
  let outputs: Int
  /// Whether negative outputs are clamped to 0 (a following ReLU).
  let relu: Bool
  private let packed: AlignedFloats

  /// Packs `weight` ([outputs, inputs] row-major) and `bias` after the per-output affine map
  /// `z ↦ scale[j]·z + shift[j]` (identity when nil).
  init(
    weight: [Float], bias: [Float], inputs: Int, outputs: Int, relu: Bool,
    scale: [Double]? = nil, shift: [Double]? = nil
  ) {
    precondition(weight.count == inputs * outputs && bias.count == outputs, "PackedLinear: sizes")
    var w = weight
    var b = bias
    if scale != nil || shift != nil {
      for j in 0..<outputs {
        let a = scale?[j] ?? 1
        for p in 0..<inputs { w[j * inputs + p] = Float(a * Double(weight[j * inputs + p])) }
        b[j] = Float(a * Double(bias[j]) + (shift?[j] ?? 0))
      }
    }
    self.inputs = inputs
    self.outputs = outputs
    self.relu = relu
    let (n, k) = (Int32(outputs), Int32(inputs))
    let buffer = AlignedFloats(count: ck_gemm_packed_count(n, k))
    w.withUnsafeBufferPointer { wp in
      b.withUnsafeBufferPointer { bp in ck_gemm_pack(n, k, wp.baseAddress, bp.baseAddress, buffer.pointer) }
    }
    packed = buffer
  }

  /// Floating-point operations per row.
  var flopsPerRow: Int { 2 * inputs * outputs }

  /// Computes `rows` rows of `y` (row stride `outputs`) from `x` (row stride `inputs`) with instruction
  /// set `isa`; a product worth splitting (`minimumParallelFlops`) with at least 64 outputs has its output
  /// columns shared among `threads` threads.
  func apply(
    rows: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, isa: Int32, threads: Int
  ) {
    let (m, n, k) = (Int32(rows), Int32(outputs), Int32(inputs))
    let (clamp, lo, hi): (Int32, Float, Float) = relu ? (1, 0, .infinity) : (0, 0, 0)
    guard threads > 1, outputs >= 64, rows * flopsPerRow >= minimumParallelFlops else {
      ck_gemm(isa, m, n, k, x, Int(k), packed.pointer, y, Int(n), clamp, lo, hi)
      return
    }
    // Groups of 32 columns (two 16-wide panels, the AVX-512 tile's width), or 16 when 32s do not split
    // evenly between the threads; up to four parts per thread, a multiple of the thread count.
    let group = ((outputs + 31) / 32) % threads == 0 ? 32 : 16
    let groups = (outputs + group - 1) / group
    var parts = min(groups, 4 * threads)
    if parts > threads { parts -= parts % threads }
    let packed = packed.pointer
    parallelParts(parts, threads: threads) { i in
      let first = groups * i / parts
      let last = groups * (i + 1) / parts
      ck_gemm_cols(
        isa, m, n, k, x, Int(k), packed, y, Int(n), Int32(first * group), Int32(min(outputs, last * group)),
        clamp, lo, hi)
    }
  }
}
