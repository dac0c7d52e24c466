// PoseTraining: layers with forward and backward passes (Linear, BatchNorm, LayerNorm, ReLU, Dropout,
// residual blocks, sequential stacks) and the SimpleBaseline residual MLP.

import Foundation

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
  public init(name: String, features: Int, momentum: Double = 0.1, epsilon: Double = 1e-5) {
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
    let n = input.rows
    let f = input.columns
    precondition(f == scale.value.columns, "BatchNorm \(scale.name): input has \(f) features")
    var mean = [Scalar](repeating: 0, count: f)
    var variance = [Scalar](repeating: 0, count: f)
    let eps = Scalar(epsilon)
    if context.training && n > 0 {
      input.withUnsafeBufferPointer { x in
        for r in 0..<n {
          for c in 0..<f { mean[c] += x[r * f + c] }
        }
        for c in 0..<f { mean[c] /= Scalar(n) }
        for r in 0..<n {
          for c in 0..<f {
            let d = x[r * f + c] - mean[c]
            variance[c] += d * d
          }
        }
        for c in 0..<f { variance[c] /= Scalar(n) }
      }
      let m = Scalar(momentum)
      let unbias = n > 1 ? Scalar(n) / Scalar(n - 1) : 1
      for c in 0..<f {
        runningMean.value[c] = (1 - m) * runningMean.value[c] + m * mean[c]
        runningVariance.value[c] = (1 - m) * runningVariance.value[c] + m * variance[c] * unbias
      }
    } else {
      mean = runningMean.value.values
      variance = runningVariance.value.values
    }
    trainedForward = context.training
    inverseStd = variance.map { 1 / ($0 + eps).squareRoot() }
    var xHat = input
    var y = Matrix<Scalar>(rows: n, columns: f)
    let g = scale.value.values
    let b = shift.value.values
    let inv = inverseStd
    xHat.withUnsafeMutableBufferPointer { xh in
      y.withUnsafeMutableBufferPointer { yp in
        for r in 0..<n {
          for c in 0..<f {
            let v = (xh[r * f + c] - mean[c]) * inv[c]
            xh[r * f + c] = v
            yp[r * f + c] = g[c] * v + b[c]
          }
        }
      }
    }
    normalized = xHat
    return y
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    guard let xHat = normalized else {
      preconditionFailure("BatchNorm \(scale.name): backward before forward")
    }
    let n = xHat.rows
    let f = xHat.columns
    precondition(outputGradient.rows == n && outputGradient.columns == f)
    var dScale = [Scalar](repeating: 0, count: f)
    var dShift = [Scalar](repeating: 0, count: f)
    let gamma = scale.value.values
    let inv = inverseStd
    var dx = Matrix<Scalar>(rows: n, columns: f)
    outputGradient.withUnsafeBufferPointer { g in
      xHat.withUnsafeBufferPointer { xh in
        for r in 0..<n {
          for c in 0..<f {
            dShift[c] += g[r * f + c]
            dScale[c] += g[r * f + c] * xh[r * f + c]
          }
        }
        dx.withUnsafeMutableBufferPointer { d in
          if trainedForward {
            // dx = γ/(n·σ) · (n·g − Σg − x̂·Σ(g·x̂)), with Σg = dShift and Σ(g·x̂) = dScale.
            let nn = Scalar(n)
            for r in 0..<n {
              for c in 0..<f {
                let k = gamma[c] * inv[c] / nn
                d[r * f + c] = k * (nn * g[r * f + c] - dShift[c] - xh[r * f + c] * dScale[c])
              }
            }
          } else {
            for r in 0..<n {
              for c in 0..<f { d[r * f + c] = g[r * f + c] * gamma[c] * inv[c] }
            }
          }
        }
      }
    }
    for c in 0..<f {
      scale.gradient[c] += dScale[c]
      shift.gradient[c] += dShift[c]
    }
    return dx
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
  public init(name: String, features: Int, epsilon: Double = 1e-5) {
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
    var xHat = input
    var y = Matrix<Scalar>(rows: n, columns: f)
    var inv = [Scalar](repeating: 0, count: n)
    let g = scale.value.values
    let b = shift.value.values
    let eps = Scalar(epsilon)
    xHat.withUnsafeMutableBufferPointer { x in
      y.withUnsafeMutableBufferPointer { yp in
        for r in 0..<n {
          var mean: Scalar = 0
          for c in 0..<f { mean += x[r * f + c] }
          mean /= Scalar(f)
          var variance: Scalar = 0
          for c in 0..<f {
            let d = x[r * f + c] - mean
            variance += d * d
          }
          variance /= Scalar(f)
          let s = 1 / (variance + eps).squareRoot()
          inv[r] = s
          for c in 0..<f {
            let v = (x[r * f + c] - mean) * s
            x[r * f + c] = v
            yp[r * f + c] = g[c] * v + b[c]
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
    outputGradient.withUnsafeBufferPointer { g in
      xHat.withUnsafeBufferPointer { xh in
        dx.withUnsafeMutableBufferPointer { d in
          let ff = Scalar(f)
          for r in 0..<n {
            // With h = γ·g per feature: dx = (1/σ)·(h − mean(h) − x̂·mean(h·x̂)).
            var sumH: Scalar = 0
            var sumHX: Scalar = 0
            for c in 0..<f {
              let h = g[r * f + c] * gamma[c]
              sumH += h
              sumHX += h * xh[r * f + c]
              dShift[c] += g[r * f + c]
              dScale[c] += g[r * f + c] * xh[r * f + c]
            }
            for c in 0..<f {
              let h = g[r * f + c] * gamma[c]
              d[r * f + c] = inv[r] * (h - sumH / ff - xh[r * f + c] * sumHX / ff)
            }
          }
        }
      }
    }
    for c in 0..<f {
      scale.gradient[c] += dScale[c]
      shift.gradient[c] += dShift[c]
    }
    return dx
  }
}

/// Rectified linear unit `max(0, x)`; the derivative at exactly 0 is taken as 0.
public final class ReLU<Scalar: TrainingScalar>: Layer {
  private var mask: [Bool] = []

  /// Creates a ReLU.
  public init() {}

  public var parameters: [Parameter<Scalar>] { [] }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    var y = input
    var mask = [Bool](repeating: false, count: input.count)
    y.withUnsafeMutableBufferPointer { v in
      for i in 0..<v.count {
        if v[i] > 0 { mask[i] = true } else { v[i] = 0 }
      }
    }
    self.mask = mask
    return y
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    precondition(outputGradient.count == mask.count, "ReLU: backward does not match the forward pass")
    var g = outputGradient
    g.withUnsafeMutableBufferPointer { v in
      for i in 0..<v.count where !mask[i] { v[i] = 0 }
    }
    return g
  }
}

/// Inverted dropout: in training each element is zeroed with probability `rate` and the survivors are
/// scaled by 1/(1 − rate), drawing from the context's random stream; identity in evaluation.
public final class Dropout<Scalar: TrainingScalar>: Layer {
  /// Probability of dropping an element, in [0, 1).
  public let rate: Double
  private var mask: [Scalar]?

  /// Creates a dropout layer.
  public init(rate: Double) {
    precondition(rate >= 0 && rate < 1, "Dropout rate \(rate) must be in [0, 1)")
    self.rate = rate
  }

  public var parameters: [Parameter<Scalar>] { [] }

  @_specialize(where Scalar == Float)
  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    guard context.training, rate > 0 else {
      mask = nil
      return input
    }
    let keep = Scalar(1 / (1 - rate))
    var mask = [Scalar](repeating: 0, count: input.count)
    for i in 0..<mask.count where context.rng.uniform() >= rate { mask[i] = keep }
    var y = input
    y.withUnsafeMutableBufferPointer { v in
      for i in 0..<v.count { v[i] *= mask[i] }
    }
    self.mask = mask
    return y
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    guard let mask else { return outputGradient }
    precondition(outputGradient.count == mask.count, "Dropout: backward does not match the forward pass")
    var g = outputGradient
    g.withUnsafeMutableBufferPointer { v in
      for i in 0..<v.count { v[i] *= mask[i] }
    }
    return g
  }
}

/// Layers applied one after the other.
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
    for layer in layers { x = layer.forward(x, context: &context) }
    return x
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    var g = outputGradient
    for layer in layers.reversed() { g = layer.backward(g) }
    return g
  }
}

/// Normalisation layer used in residual MLPs.
public enum Normalization: String, Codable, Sendable, CaseIterable {
  /// `BatchNorm` (Martinez et al. 2017).
  case batch
  /// `LayerNorm`.
  case layer
  /// No normalisation.
  case none
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
    input + branch.forward(input, context: &context)
  }

  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    outputGradient + branch.backward(outputGradient)
  }
}

/// Shape of a SimpleBaseline-style residual MLP (Martinez et al., "A simple yet effective baseline for
/// 3d human pose estimation", ICCV 2017: 1024 wide, 2 blocks, batch norm, dropout 0.5).
public struct ResidualMLPConfig: Codable, Sendable, Equatable {
  /// Input features.
  public var inputs: Int
  /// Output features.
  public var outputs: Int
  /// Hidden width.
  public var width: Int = 1024
  /// Number of residual blocks.
  public var blocks: Int = 2
  /// Dropout rate inside the network.
  public var dropout: Double = 0.5
  /// Normalisation after each hidden linear layer.
  public var normalization: Normalization = .batch

  /// Creates a configuration.
  public init(
    inputs: Int, outputs: Int, width: Int = 1024, blocks: Int = 2, dropout: Double = 0.5,
    normalization: Normalization = .batch
  ) {
    self.inputs = inputs
    self.outputs = outputs
    self.width = width
    self.blocks = blocks
    self.dropout = dropout
    self.normalization = normalization
  }

  /// Checks that sizes are positive and at most 16,384 (blocks at most 64) and the dropout rate is in
  /// [0, 1), so a configuration read from a file cannot ask for absurd allocations.
  public func validate() throws {
    let sizes = [inputs, outputs, width]
    guard sizes.allSatisfy({ $0 > 0 && $0 <= 16_384 }), blocks >= 0, blocks <= 64, dropout >= 0, dropout < 1
    else {
      throw TrainingError.invalidConfiguration(
        "residual MLP needs inputs/outputs/width in 1…16384, blocks in 0…64 and dropout in [0, 1) "
          + "(got \(inputs)/\(outputs)/\(width), \(blocks) blocks, dropout \(dropout))")
    }
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
    try config.validate()
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

extension ResidualMLPConfig {
  /// Reads a configuration; `inputs` and `outputs` are required, the other keys default.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      inputs: try c.decode(Int.self, forKey: .inputs), outputs: try c.decode(Int.self, forKey: .outputs))
    width = try c.decodeIfPresent(Int.self, forKey: .width) ?? width
    blocks = try c.decodeIfPresent(Int.self, forKey: .blocks) ?? blocks
    dropout = try c.decodeIfPresent(Double.self, forKey: .dropout) ?? dropout
    normalization = try c.decodeIfPresent(Normalization.self, forKey: .normalization) ?? normalization
  }
}
