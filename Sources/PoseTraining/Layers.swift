// PoseTraining: layers with forward and backward passes (Linear, BatchNorm, LayerNorm, ReLU, Dropout,
// residual blocks, sequential stacks) and the SimpleBaseline residual MLP.

import Foundation
import PoseLifting

/// What a forward pass needs besides its input: the mode and the random stream dropout draws from.
public struct ForwardContext: Sendable {
  /// Training mode (batch statistics, dropout on, DCM disturbance on) or evaluation mode.
  public var training: Bool
  /// Random stream for dropout masks and DCM disturbances (advanced by every training forward pass).
  public var rng: Xoshiro256

  /// Creates a context.
  public init(training: Bool, rng: Xoshiro256 = Xoshiro256(seed: 0)) {
    self.training = training
    self.rng = rng
  }
}

/// A differentiable layer.
///
/// `forward` caches what `backward` needs; `backward` takes ∂L/∂output of the latest forward pass,
/// adds ∂L/∂parameters into the parameters' gradients (they accumulate until `zeroGradients`) and returns
/// ∂L/∂input. Calling `backward` without a matching forward pass is a programming error.
public protocol Layer<Scalar>: ParameterContainer {
  /// Computes the output for a batch (rows are samples).
  func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar>
  /// Back-propagates ∂L/∂output; returns ∂L/∂input.
  func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar>
}

/// Weight initialisation of a linear layer.
public enum WeightInitialization: String, Codable, Sendable {
  /// Kaiming/He normal: N(0, 2 / fan_in) (He et al. 2015), the right scale before a ReLU.
  case heNormal
  /// Kaiming/He uniform: U(−√(6 / fan_in), √(6 / fan_in)), same variance as `heNormal`.
  case heUniform
}

/// Fully connected layer `y = x · Wᵀ + b`, with `W` stored [outputs, inputs] (PyTorch's layout).
public final class Linear<Scalar: TrainingScalar>: Layer {
  /// Weights, shape [outputs, inputs].
  public let weight: Parameter<Scalar>
  /// Bias, shape [1, outputs].
  public let bias: Parameter<Scalar>
  private var input: Matrix<Scalar>?

  /// Number of input features.
  public var inputCount: Int { weight.value.columns }
  /// Number of output features.
  public var outputCount: Int { weight.value.rows }

  /// Creates a layer with He-initialised weights (times `weightScale`) from `rng` and zero bias.
  public init(
    name: String, inputs: Int, outputs: Int, rng: inout Xoshiro256,
    initialization: WeightInitialization = .heNormal, weightScale: Double = 1
  ) {
    precondition(inputs > 0 && outputs > 0, "Linear \(name): sizes must be positive")
    let fanIn = Double(inputs)
    var w = Matrix<Scalar>(rows: outputs, columns: inputs)
    for i in 0..<w.count {
      let x: Double
      switch initialization {
      case .heNormal: x = rng.normal() * (2 / fanIn).squareRoot()
      case .heUniform: x = rng.uniform(-1, 1) * (6 / fanIn).squareRoot()
      }
      w[i] = Scalar(x * weightScale)
    }
    weight = Parameter(name: "\(name).weight", value: w, decays: true)
    bias = Parameter(name: "\(name).bias", value: Matrix(rows: 1, columns: outputs), decays: false)
  }

  public var parameters: [Parameter<Scalar>] { [weight, bias] }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    precondition(input.columns == inputCount, "Linear \(weight.name): input has \(input.columns) features")
    self.input = input
    var y = Matrix.product(input, weight.value, transposeB: true)
    y.addRowVector(bias.value)
    return y
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    guard let input else { preconditionFailure("Linear \(weight.name): backward before forward") }
    precondition(outputGradient.rows == input.rows && outputGradient.columns == outputCount)
    weight.gradient.addProduct(outputGradient, input, transposeA: true)
    bias.gradient.add(outputGradient.columnSums())
    return Matrix.product(outputGradient, weight.value)
  }
}

/// Batch normalisation over the batch dimension (Ioffe & Szegedy 2015), as PyTorch's `BatchNorm1d`.
///
/// Training: `x̂ = (x − μ_B) / √(σ²_B + ε)` with the batch mean and biased variance, `y = γ·x̂ + β`, and
/// running statistics updated as `r ← (1 − momentum)·r + momentum·batch` (the variance unbiased, n/(n−1)).
/// Evaluation: the running statistics replace the batch's.
public final class BatchNorm<Scalar: TrainingScalar>: Layer {
  /// γ, shape [1, features], initially 1.
  public let scale: Parameter<Scalar>
  /// β, shape [1, features], initially 0.
  public let shift: Parameter<Scalar>
  /// Running mean, shape [1, features], initially 0.
  public let runningMean: Buffer<Scalar>
  /// Running (unbiased) variance, shape [1, features], initially 1.
  public let runningVariance: Buffer<Scalar>
  /// Weight of the current batch in the running statistics.
  public let momentum: Double
  /// Added to the variance.
  public let epsilon: Double

  private var normalized: Matrix<Scalar>?
  private var inverseStd: [Scalar] = []
  private var trainedForward = false

  /// Creates a batch-norm layer for `features` features.
  public init(
    name: String, features: Int, momentum: Double = 0.1, epsilon: Double = Normalization.epsilon
  ) {
    scale = Parameter(
      name: "\(name).scale", value: Matrix(rows: 1, columns: features, repeating: 1), decays: false)
    shift = Parameter(name: "\(name).shift", value: Matrix(rows: 1, columns: features), decays: false)
    runningMean = Buffer(name: "\(name).running_mean", value: Matrix(rows: 1, columns: features))
    runningVariance = Buffer(
      name: "\(name).running_variance", value: Matrix(rows: 1, columns: features, repeating: 1))
    self.momentum = momentum
    self.epsilon = epsilon
  }

  public var parameters: [Parameter<Scalar>] { [scale, shift] }
  public var buffers: [Buffer<Scalar>] { [runningMean, runningVariance] }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    forward(input, relu: nil, dropout: nil, context: &context)
  }

  /// The forward pass, optionally followed by `relu` and then `dropout` in the same pass over the batch
  /// (`Sequential` fuses them). Each layer's cache is set as by its own `forward`, and every element is
  /// computed by the same operations in the same order, so the results are those of the separate passes.
  @_specialize(where Scalar == Float)
  func forward(
    _ input: Matrix<Scalar>, relu: ReLU<Scalar>?, dropout: Dropout<Scalar>?, context: inout ForwardContext
  ) -> Matrix<Scalar> {
    let n = input.rows
    let f = input.columns
    precondition(f == scale.value.columns, "BatchNorm \(scale.name): input has \(f) features")
    let training = context.training
    let batchStatistics = training && n > 0
    trainedForward = training
    // The dropout mask comes from the random stream in element order, before anything else.
    let dropping = relu != nil && (dropout?.makeMask(count: n * f, context: &context) ?? false)
    var xHat = Matrix<Scalar>.reusing(normalized, rows: n, columns: f)
    normalized = nil
    var y = Matrix<Scalar>(rows: n, columns: f)
    var out = relu == nil ? Matrix<Scalar>(rows: 0, columns: 0) : Matrix<Scalar>(rows: n, columns: f)
    var mean = training ? [Scalar](repeating: 0, count: f) : runningMean.value.values
    var variance = training ? [Scalar](repeating: 0, count: f) : runningVariance.value.values
    var rm = runningMean.value.values
    var rv = runningVariance.value.values
    var inv = [Scalar](repeating: 0, count: f)
    let gamma = scale.value.values
    let beta = shift.value.values
    let eps = Scalar(epsilon)
    let m = Scalar(momentum)
    let unbias = n > 1 ? Scalar(n) / Scalar(n - 1) : 1
    let nn = Scalar(n)
    let emptyMask = [Scalar]()
    let mask = dropping ? dropout?.mask ?? emptyMask : emptyMask
    input.withUnsafeBufferPointer { xb in
      xHat.withUnsafeMutableBufferPointer { hb in
        y.withUnsafeMutableBufferPointer { yb in
          out.withUnsafeMutableBufferPointer { ob in
            mask.withUnsafeBufferPointer { db in
              mean.withUnsafeMutableBufferPointer { mb in
                variance.withUnsafeMutableBufferPointer { vb in
                  rm.withUnsafeMutableBufferPointer { rmb in
                    rv.withUnsafeMutableBufferPointer { rvb in
                      inv.withUnsafeMutableBufferPointer { ib in
                        gamma.withUnsafeBufferPointer { gb in
                          beta.withUnsafeBufferPointer { bb in
                            let k = BatchNormForwardKernel(
                              n: n, f: f, x: xb.baseAddress, xHat: hb.baseAddress, y: yb.baseAddress,
                              out: relu == nil ? nil : ob.baseAddress, mask: dropping ? db.baseAddress : nil,
                              mean: mb.baseAddress!, variance: vb.baseAddress!, runningMean: rmb.baseAddress!,
                              runningVariance: rvb.baseAddress!, inverseStd: ib.baseAddress!,
                              gamma: gb.baseAddress!, beta: bb.baseAddress!, batchStatistics: batchStatistics,
                              eps: eps, momentum: m, unbias: unbias, count: nn)
                            ParallelLoops.forEachRange(
                              f, grain: ParallelLoops.columnGrain(rows: n), alignment: 16, k.run)
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    if batchStatistics {
      runningMean.value = Matrix(rows: 1, columns: f, values: rm)
      runningVariance.value = Matrix(rows: 1, columns: f, values: rv)
    }
    inverseStd = inv
    normalized = xHat
    guard let relu else { return y }
    relu.input = y
    if !dropping { dropout?.mask = nil }
    return out
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    backward(outputGradient, relu: nil, dropout: nil)
  }

  /// The backward pass of `dropout`, then `relu`, then this layer, in one pass over the batch (the
  /// fused counterpart of `forward(_:relu:dropout:context:)`; the same results as the separate passes).
  @_specialize(where Scalar == Float)
  func backward(_ outputGradient: Matrix<Scalar>, relu: ReLU<Scalar>?, dropout: Dropout<Scalar>?)
    -> Matrix<Scalar>
  {
    guard let xHat = normalized else {
      preconditionFailure("BatchNorm \(scale.name): backward before forward")
    }
    let n = xHat.rows
    let f = xHat.columns
    precondition(outputGradient.rows == n && outputGradient.columns == f)
    let emptyMatrix = Matrix<Scalar>(rows: 0, columns: 0)
    let reluInput = relu.map { r -> Matrix<Scalar> in
      guard let x = r.input, x.rows == n, x.columns == f else {
        preconditionFailure("ReLU: backward does not match the forward pass")
      }
      return x
    }
    let emptyMask = [Scalar]()
    let mask = relu == nil ? nil : dropout?.mask
    if let mask { precondition(mask.count == n * f, "Dropout: backward does not match the forward pass") }
    var dScale = [Scalar](repeating: 0, count: f)
    var dShift = [Scalar](repeating: 0, count: f)
    var dx = Matrix<Scalar>(rows: n, columns: f)
    let gamma = scale.value.values
    let inv = inverseStd
    let trained = trainedForward
    outputGradient.withUnsafeBufferPointer { gb in
      xHat.withUnsafeBufferPointer { hb in
        (reluInput ?? emptyMatrix).withUnsafeBufferPointer { rb in
          (mask ?? emptyMask).withUnsafeBufferPointer { db in
            dx.withUnsafeMutableBufferPointer { xb in
              dScale.withUnsafeMutableBufferPointer { sb in
                dShift.withUnsafeMutableBufferPointer { tb in
                  gamma.withUnsafeBufferPointer { gammab in
                    inv.withUnsafeBufferPointer { ib in
                      let k = BatchNormBackwardKernel(
                        n: n, f: f, g: gb.baseAddress, xHat: hb.baseAddress,
                        reluInput: reluInput == nil ? nil : rb.baseAddress,
                        mask: mask == nil ? nil : db.baseAddress, dx: xb.baseAddress, dScale: sb.baseAddress!,
                        dShift: tb.baseAddress!, gamma: gammab.baseAddress!, inverseStd: ib.baseAddress!,
                        trained: trained)
                      ParallelLoops.forEachRange(
                        f, grain: ParallelLoops.columnGrain(rows: n), alignment: 16, k.run)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    scale.gradient.add(Matrix(rows: 1, columns: f, values: dScale))
    shift.gradient.add(Matrix(rows: 1, columns: f, values: dShift))
    return dx
  }
}

/// Batch norm's forward pass over a range of features (optionally followed by ReLU and dropout): raw
/// pointers, so disjoint feature ranges can run on several threads. Each feature's sums run over the rows
/// in order, as a serial loop does.
private struct BatchNormForwardKernel<Scalar: TrainingScalar> {
  let n: Int
  let f: Int
  let x: UnsafePointer<Scalar>?
  let xHat: UnsafeMutablePointer<Scalar>?
  let y: UnsafeMutablePointer<Scalar>?
  let out: UnsafeMutablePointer<Scalar>?
  let mask: UnsafePointer<Scalar>?
  let mean: UnsafeMutablePointer<Scalar>
  let variance: UnsafeMutablePointer<Scalar>
  let runningMean: UnsafeMutablePointer<Scalar>
  let runningVariance: UnsafeMutablePointer<Scalar>
  let inverseStd: UnsafeMutablePointer<Scalar>
  let gamma: UnsafePointer<Scalar>
  let beta: UnsafePointer<Scalar>
  let batchStatistics: Bool
  let eps: Scalar
  let momentum: Scalar
  let unbias: Scalar
  let count: Scalar

  @inline(__always)
  func run(_ cols: Range<Int>) {
    if batchStatistics, let x {
      for r in 0..<n {
        let row = x + r * f
        for c in cols { mean[c] += row[c] }
      }
      for c in cols { mean[c] /= count }
      for r in 0..<n {
        let row = x + r * f
        for c in cols {
          let d = row[c] - mean[c]
          variance[c] += d * d
        }
      }
      for c in cols {
        variance[c] /= count
        runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
        runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * variance[c] * unbias
      }
    }
    for c in cols { inverseStd[c] = 1 / (variance[c] + eps).squareRoot() }
    guard let x, let xHat, let y else { return }
    for r in 0..<n {
      let base = r * f
      let (xr, hr, yr) = (x + base, xHat + base, y + base)
      for c in cols {
        let v = (xr[c] - mean[c]) * inverseStd[c]
        hr[c] = v
        yr[c] = gamma[c] * v + beta[c]
      }
      guard let out else { continue }
      let or = out + base
      if let mask {
        let mr = mask + base
        for c in cols { or[c] = (yr[c] > 0 ? yr[c] : 0) * mr[c] }
      } else {
        for c in cols { or[c] = yr[c] > 0 ? yr[c] : 0 }
      }
    }
  }
}

/// Batch norm's backward pass over a range of features, optionally through dropout and ReLU first.
private struct BatchNormBackwardKernel<Scalar: TrainingScalar> {
  let n: Int
  let f: Int
  let g: UnsafePointer<Scalar>?
  let xHat: UnsafePointer<Scalar>?
  let reluInput: UnsafePointer<Scalar>?
  let mask: UnsafePointer<Scalar>?
  let dx: UnsafeMutablePointer<Scalar>?
  let dScale: UnsafeMutablePointer<Scalar>
  let dShift: UnsafeMutablePointer<Scalar>
  let gamma: UnsafePointer<Scalar>
  let inverseStd: UnsafePointer<Scalar>
  let trained: Bool

  @inline(__always)
  func run(_ cols: Range<Int>) {
    guard let g, let xHat, let dx else { return }
    if Scalar.self == Float.self, cols.count >= 8 {
      runFloat8(cols, g: g, xHat: xHat, dx: dx)
      return
    }
    // ∂L/∂y through dropout (g·mask) and ReLU (0 where its input is not positive) when fused.
    if let mask, let reluInput {
      run(cols, g: g, xHat: xHat, dx: dx) { i in reluInput[i] > 0 ? g[i] * mask[i] : 0 }
    } else if let reluInput {
      run(cols, g: g, xHat: xHat, dx: dx) { i in reluInput[i] > 0 ? g[i] : 0 }
    } else if let mask {
      run(cols, g: g, xHat: xHat, dx: dx) { i in g[i] * mask[i] }
    } else {
      run(cols, g: g, xHat: xHat, dx: dx) { i in g[i] }
    }
  }

  @inline(__always)
  func run(
    _ cols: Range<Int>, g: UnsafePointer<Scalar>, xHat: UnsafePointer<Scalar>,
    dx: UnsafeMutablePointer<Scalar>,
    gradient: (Int) -> Scalar
  ) {
    for r in 0..<n {
      let base = r * f
      let hr = xHat + base
      for c in cols {
        let gv = gradient(base + c)
        dShift[c] += gv
        dScale[c] += gv * hr[c]
      }
    }
    if trained {
      // dx = γ/(n·σ) · (n·g − Σg − x̂·Σ(g·x̂)), with Σg = dShift and Σ(g·x̂) = dScale.
      let nn = Scalar(n)
      for r in 0..<n {
        let base = r * f
        let (hr, xr) = (xHat + base, dx + base)
        for c in cols {
          let k = gamma[c] * inverseStd[c] / nn
          xr[c] = k * (nn * gradient(base + c) - dShift[c] - hr[c] * dScale[c])
        }
      }
    } else {
      for r in 0..<n {
        let base = r * f
        let xr = dx + base
        for c in cols { xr[c] = gradient(base + c) * gamma[c] * inverseStd[c] }
      }
    }
  }

  /// `run` for Float, eight features at a time (each lane computes what the scalar loop does); the last
  /// `cols.count % 8` features go through the scalar loop.
  func runFloat8(
    _ cols: Range<Int>, g: UnsafePointer<Scalar>, xHat: UnsafePointer<Scalar>,
    dx: UnsafeMutablePointer<Scalar>
  ) {
    typealias V = SIMD8<Float>
    let vectorEnd = cols.lowerBound + cols.count / 8 * 8
    let stride = MemoryLayout<Float>.stride
    let (gp, hp, xp) = (UnsafeRawPointer(g), UnsafeRawPointer(xHat), UnsafeMutableRawPointer(dx))
    let (sp, tp) = (UnsafeMutableRawPointer(dScale), UnsafeMutableRawPointer(dShift))
    let (gammap, ip) = (UnsafeRawPointer(gamma), UnsafeRawPointer(inverseStd))
    let rp = reluInput.map { UnsafeRawPointer($0) }
    let mp = mask.map { UnsafeRawPointer($0) }
    let zero = V(repeating: 0)
    @inline(__always) func load(_ p: UnsafeRawPointer, _ i: Int) -> V {
      p.loadUnaligned(fromByteOffset: i * stride, as: V.self)
    }
    @inline(__always) func gradient(_ i: Int) -> V {
      var v = load(gp, i)
      if let mp { v = v * load(mp, i) }
      if let rp { v.replace(with: zero, where: .!(load(rp, i) .> zero)) }
      return v
    }
    for r in 0..<n {
      let base = r * f
      var c = cols.lowerBound
      while c < vectorEnd {
        let gv = gradient(base + c)
        sp.storeBytes(of: load(sp, c) + gv * load(hp, base + c), toByteOffset: c * stride, as: V.self)
        tp.storeBytes(of: load(tp, c) + gv, toByteOffset: c * stride, as: V.self)
        c += 8
      }
    }
    let nn = V(repeating: Float(n))
    for r in 0..<n {
      let base = r * f
      var c = cols.lowerBound
      while c < vectorEnd {
        let gv = gradient(base + c)
        let d: V
        if trained {
          let k = load(gammap, c) * load(ip, c) / nn
          d = k * (nn * gv - load(tp, c) - load(hp, base + c) * load(sp, c))
        } else {
          d = gv * load(gammap, c) * load(ip, c)
        }
        xp.storeBytes(of: d, toByteOffset: (base + c) * stride, as: V.self)
        c += 8
      }
    }
    if vectorEnd < cols.upperBound {
      let tail = vectorEnd..<cols.upperBound
      if let mask, let reluInput {
        run(tail, g: g, xHat: xHat, dx: dx) { i in reluInput[i] > 0 ? g[i] * mask[i] : 0 }
      } else if let reluInput {
        run(tail, g: g, xHat: xHat, dx: dx) { i in reluInput[i] > 0 ? g[i] : 0 }
      } else if let mask {
        run(tail, g: g, xHat: xHat, dx: dx) { i in g[i] * mask[i] }
      } else {
        run(tail, g: g, xHat: xHat, dx: dx) { i in g[i] }
      }
    }
  }
}

/// Layer normalisation over the features of each sample (Ba et al. 2016): the same in training and
/// evaluation, independent of the batch.
public final class LayerNorm<Scalar: TrainingScalar>: Layer {
  /// γ, shape [1, features], initially 1.
  public let scale: Parameter<Scalar>
  /// β, shape [1, features], initially 0.
  public let shift: Parameter<Scalar>
  /// Added to the variance.
  public let epsilon: Double
  private var normalized: Matrix<Scalar>?
  private var inverseStd: [Scalar] = []

  /// Creates a layer-norm layer for `features` features.
  public init(name: String, features: Int, epsilon: Double = Normalization.epsilon) {
    scale = Parameter(
      name: "\(name).scale", value: Matrix(rows: 1, columns: features, repeating: 1), decays: false)
    shift = Parameter(name: "\(name).shift", value: Matrix(rows: 1, columns: features), decays: false)
    self.epsilon = epsilon
  }

  public var parameters: [Parameter<Scalar>] { [scale, shift] }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    let n = input.rows
    let f = input.columns
    precondition(f == scale.value.columns, "LayerNorm \(scale.name): input has \(f) features")
    var xHat = Matrix<Scalar>.reusing(normalized, rows: n, columns: f)
    normalized = nil
    var y = Matrix<Scalar>(rows: n, columns: f)
    var inv = [Scalar](repeating: 0, count: n)
    let g = scale.value.values
    let b = shift.value.values
    let eps = Scalar(epsilon)
    let ff = Scalar(f)
    input.withUnsafeBufferPointer { xb in
      xHat.withUnsafeMutableBufferPointer { hb in
        y.withUnsafeMutableBufferPointer { yb in
          inv.withUnsafeMutableBufferPointer { ib in
            g.withUnsafeBufferPointer { gb in
              b.withUnsafeBufferPointer { bb in
                guard let xp = xb.baseAddress, let hp = hb.baseAddress, let yp = yb.baseAddress,
                  let ip = ib.baseAddress, let gp = gb.baseAddress, let bp = bb.baseAddress
                else { return }
                ParallelLoops.forEachRange(n, grain: ParallelLoops.rowGrain(columns: f)) { rows in
                  for r in rows {
                    let (x, h, yr) = (xp + r * f, hp + r * f, yp + r * f)
                    var mean: Scalar = 0
                    for c in 0..<f { mean += x[c] }
                    mean /= ff
                    var variance: Scalar = 0
                    for c in 0..<f {
                      let d = x[c] - mean
                      variance += d * d
                    }
                    variance /= ff
                    let s = 1 / (variance + eps).squareRoot()
                    ip[r] = s
                    for c in 0..<f {
                      let v = (x[c] - mean) * s
                      h[c] = v
                      yr[c] = gp[c] * v + bp[c]
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    normalized = xHat
    inverseStd = inv
    return y
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    guard let xHat = normalized else {
      preconditionFailure("LayerNorm \(scale.name): backward before forward")
    }
    let n = xHat.rows
    let f = xHat.columns
    precondition(outputGradient.rows == n && outputGradient.columns == f)
    let gamma = scale.value.values
    let inv = inverseStd
    var dx = Matrix<Scalar>(rows: n, columns: f)
    var dScale = [Scalar](repeating: 0, count: f)
    var dShift = [Scalar](repeating: 0, count: f)
    outputGradient.withUnsafeBufferPointer { gb in
      xHat.withUnsafeBufferPointer { hb in
        dx.withUnsafeMutableBufferPointer { db in
          gamma.withUnsafeBufferPointer { gammab in
            inv.withUnsafeBufferPointer { ib in
              dScale.withUnsafeMutableBufferPointer { sb in
                dShift.withUnsafeMutableBufferPointer { tb in
                  guard let gp = gb.baseAddress, let hp = hb.baseAddress, let dp = db.baseAddress,
                    let gam = gammab.baseAddress, let ip = ib.baseAddress, let sp = sb.baseAddress,
                    let tp = tb.baseAddress
                  else { return }
                  let ff = Scalar(f)
                  // With h = γ·g per feature: dx = (1/σ)·(h − mean(h) − x̂·mean(h·x̂)); rows in parallel.
                  ParallelLoops.forEachRange(n, grain: ParallelLoops.rowGrain(columns: f)) { rows in
                    for r in rows {
                      let (g, xh, d) = (gp + r * f, hp + r * f, dp + r * f)
                      var sumH: Scalar = 0
                      var sumHX: Scalar = 0
                      for c in 0..<f {
                        let h = g[c] * gam[c]
                        sumH += h
                        sumHX += h * xh[c]
                      }
                      for c in 0..<f {
                        let h = g[c] * gam[c]
                        d[c] = ip[r] * (h - sumH / ff - xh[c] * sumHX / ff)
                      }
                    }
                  }
                  // Parameter gradients: features in parallel, each summed over the rows in order.
                  ParallelLoops.forEachRange(
                    f, grain: ParallelLoops.columnGrain(rows: n), alignment: 16
                  ) { cols in
                    for r in 0..<n {
                      let (g, xh) = (gp + r * f, hp + r * f)
                      for c in cols {
                        tp[c] += g[c]
                        sp[c] += g[c] * xh[c]
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    scale.gradient.add(Matrix(rows: 1, columns: f, values: dScale))
    shift.gradient.add(Matrix(rows: 1, columns: f, values: dShift))
    return dx
  }
}

/// Rectified linear unit `max(0, x)`; the derivative at exactly 0 is taken as 0.
public final class ReLU<Scalar: TrainingScalar>: Layer {
  /// The input of the latest forward pass (its positive elements are where the gradient passes).
  fileprivate var input: Matrix<Scalar>?

  /// Creates a ReLU.
  public init() {}

  public var parameters: [Parameter<Scalar>] { [] }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    self.input = input
    var y = Matrix<Scalar>(rows: input.rows, columns: input.columns)
    input.withUnsafeBufferPointer { x in
      y.withUnsafeMutableBufferPointer { v in
        guard let xp = x.baseAddress, let vp = v.baseAddress else { return }
        ParallelLoops.forEachRange(v.count, grain: ParallelLoops.elementGrain, alignment: 16) { range in
          for i in range { vp[i] = xp[i] > 0 ? xp[i] : 0 }
        }
      }
    }
    return y
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    guard let input, outputGradient.count == input.count else {
      preconditionFailure("ReLU: backward does not match the forward pass")
    }
    var g = Matrix<Scalar>(rows: outputGradient.rows, columns: outputGradient.columns)
    input.withUnsafeBufferPointer { x in
      outputGradient.withUnsafeBufferPointer { o in
        g.withUnsafeMutableBufferPointer { v in
          guard let xp = x.baseAddress, let op = o.baseAddress, let vp = v.baseAddress else { return }
          ParallelLoops.forEachRange(v.count, grain: ParallelLoops.elementGrain, alignment: 16) { range in
            for i in range { vp[i] = xp[i] > 0 ? op[i] : 0 }
          }
        }
      }
    }
    return g
  }
}

/// Inverted dropout: in training each element is zeroed with probability `rate` and the survivors are
/// scaled by 1/(1 − rate), drawing from the context's random stream; identity in evaluation.
public final class Dropout<Scalar: TrainingScalar>: Layer {
  /// Probability of dropping an element, in [0, 1).
  public let rate: Double
  /// 1/(1 − rate) where kept, 0 where dropped (nil: the latest forward pass was the identity).
  fileprivate var mask: [Scalar]?

  /// Creates a dropout layer.
  public init(rate: Double) {
    precondition(rate >= 0 && rate < 1, "Dropout rate \(rate) must be in [0, 1)")
    self.rate = rate
  }

  public var parameters: [Parameter<Scalar>] { [] }

  /// Draws the mask of `count` elements (element i is kept when the i-th `uniform()` of the stream is
  /// ≥ `rate`); returns false, with no mask, when dropout is off (evaluation or rate 0).
  @_specialize(where Scalar == Float)
  fileprivate func makeMask(count: Int, context: inout ForwardContext) -> Bool {
    guard context.training, rate > 0 else {
      mask = nil
      return false
    }
    let keep = Scalar(1 / (1 - rate))
    // uniform() = (next() >> 11) · 2⁻⁵³ is exact, so uniform() ≥ rate ⇔ next() >> 11 ≥ ⌈rate · 2⁵³⌉.
    let threshold = UInt64((rate * 0x1p53).rounded(.up))
    var m = mask ?? []
    mask = nil
    if m.count != count { m = [Scalar](repeating: 0, count: count) }
    var rng = context.rng
    m.withUnsafeMutableBufferPointer { p in
      for i in p.indices { p[i] = rng.next() >> 11 >= threshold ? keep : 0 }
    }
    context.rng = rng
    mask = m
    return true
  }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    guard makeMask(count: input.count, context: &context), let mask else { return input }
    return Self.masked(input, mask)
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    guard let mask else { return outputGradient }
    precondition(outputGradient.count == mask.count, "Dropout: backward does not match the forward pass")
    return Self.masked(outputGradient, mask)
  }

  /// `x` times `mask` element-wise.
  @_specialize(where Scalar == Float)
  static func masked(_ x: Matrix<Scalar>, _ mask: [Scalar]) -> Matrix<Scalar> {
    var y = Matrix<Scalar>(rows: x.rows, columns: x.columns)
    x.withUnsafeBufferPointer { xb in
      mask.withUnsafeBufferPointer { mb in
        y.withUnsafeMutableBufferPointer { v in
          guard let xp = xb.baseAddress, let mp = mb.baseAddress, let vp = v.baseAddress else { return }
          ParallelLoops.forEachRange(v.count, grain: ParallelLoops.elementGrain, alignment: 16) { range in
            for i in range { vp[i] = xp[i] * mp[i] }
          }
        }
      }
    }
    return y
  }
}

/// Layers applied one after the other.
///
/// A batch norm followed by a ReLU (and a dropout) runs as one fused pass forward and backward, with the
/// same results as the separate layers.
public final class Sequential<Scalar: TrainingScalar>: Layer {
  /// The layers in order.
  public let layers: [any Layer<Scalar>]

  /// Creates a stack of layers.
  public init(_ layers: [any Layer<Scalar>]) { self.layers = layers }

  public var parameters: [Parameter<Scalar>] { layers.flatMap { $0.parameters } }
  public var buffers: [Buffer<Scalar>] { layers.flatMap { $0.buffers } }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    var x = input
    var i = 0
    while i < layers.count {
      if let bn = layers[i] as? BatchNorm<Scalar>, i + 1 < layers.count,
        let relu = layers[i + 1] as? ReLU<Scalar>
      {
        let dropout = i + 2 < layers.count ? layers[i + 2] as? Dropout<Scalar> : nil
        x = bn.forward(x, relu: relu, dropout: dropout, context: &context)
        i += dropout == nil ? 2 : 3
      } else {
        x = layers[i].forward(x, context: &context)
        i += 1
      }
    }
    return x
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    var g = outputGradient
    var i = layers.count - 1
    while i >= 0 {
      if i >= 2, let dropout = layers[i] as? Dropout<Scalar>, let relu = layers[i - 1] as? ReLU<Scalar>,
        let bn = layers[i - 2] as? BatchNorm<Scalar>
      {
        g = bn.backward(g, relu: relu, dropout: dropout)
        i -= 3
      } else if i >= 1, let relu = layers[i] as? ReLU<Scalar>, let bn = layers[i - 1] as? BatchNorm<Scalar> {
        g = bn.backward(g, relu: relu, dropout: nil)
        i -= 2
      } else {
        g = layers[i].backward(g)
        i -= 1
      }
    }
    return g
  }
}

func makeNorm<Scalar: TrainingScalar>(
  _ kind: Normalization, name: String, features: Int
) -> (any Layer<Scalar>)? {
  switch kind {
  case .batch: return BatchNorm<Scalar>(name: name, features: features)
  case .layer: return LayerNorm<Scalar>(name: name, features: features)
  case .none: return nil
  }
}

/// The residual block of Martinez et al. 2017: `y = x + f(x)` with
/// `f = (Linear → Norm → ReLU → Dropout) × 2`, width preserved.
public final class ResidualBlock<Scalar: TrainingScalar>: Layer {
  /// The residual branch `f`.
  public let branch: Sequential<Scalar>

  /// Creates a block of `width` features.
  public init(
    name: String, width: Int, dropout: Double, normalization: Normalization, rng: inout Xoshiro256
  ) {
    var layers: [any Layer<Scalar>] = []
    for i in 1...2 {
      layers.append(Linear<Scalar>(name: "\(name).linear\(i)", inputs: width, outputs: width, rng: &rng))
      if let norm: any Layer<Scalar> = makeNorm(normalization, name: "\(name).norm\(i)", features: width) {
        layers.append(norm)
      }
      layers.append(ReLU<Scalar>())
      layers.append(Dropout<Scalar>(rate: dropout))
    }
    branch = Sequential(layers)
  }

  public var parameters: [Parameter<Scalar>] { branch.parameters }
  public var buffers: [Buffer<Scalar>] { branch.buffers }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    // f(x) + x in f(x)'s storage (addition is commutative bit for bit).
    var y = branch.forward(input, context: &context)
    precondition(
      y.rows == input.rows && y.columns == input.columns, "ResidualBlock: branch changed the shape")
    y.add(input)
    return y
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    var g = branch.backward(outputGradient)
    g.add(outputGradient)
    return g
  }
}

/// The residual MLP: `Linear(inputs → width) → Norm → ReLU → Dropout → blocks × ResidualBlock →
/// Linear(width → outputs)`.
public final class ResidualMLP<Scalar: TrainingScalar>: Layer {
  /// The configuration it was built from.
  public let config: ResidualMLPConfig
  /// The layers.
  public let network: Sequential<Scalar>

  /// Builds the network with weights drawn from `rng`, tensor names prefixed by `name`.
  public init(name: String, config: ResidualMLPConfig, rng: inout Xoshiro256) throws {
    try TrainingError.converting { try config.validate() }
    self.config = config
    var layers: [any Layer<Scalar>] = [
      Linear<Scalar>(name: "\(name).input", inputs: config.inputs, outputs: config.width, rng: &rng)
    ]
    if let norm: any Layer<Scalar> = makeNorm(
      config.normalization, name: "\(name).input_norm", features: config.width)
    {
      layers.append(norm)
    }
    layers.append(ReLU<Scalar>())
    layers.append(Dropout<Scalar>(rate: config.dropout))
    for b in 0..<config.blocks {
      layers.append(
        ResidualBlock<Scalar>(
          name: "\(name).block\(b)", width: config.width, dropout: config.dropout,
          normalization: config.normalization, rng: &rng))
    }
    layers.append(
      Linear<Scalar>(name: "\(name).output", inputs: config.width, outputs: config.outputs, rng: &rng))
    network = Sequential(layers)
  }

  public var parameters: [Parameter<Scalar>] { network.parameters }
  public var buffers: [Buffer<Scalar>] { network.buffers }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    network.forward(input, context: &context)
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    network.backward(outputGradient)
  }
}
