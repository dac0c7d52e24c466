// PoseTraining: trainable parameters, non-trainable buffers and the named registry optimisers and
// checkpoints work on.

/// A trainable tensor with its gradient (accumulated by `backward`, cleared by `zeroGradients`).
public final class Parameter<Scalar: TrainingScalar> {
  /// Unique name within a model, e.g. `lifter.block0.linear1.weight` (the checkpoint tensor name).
  public let name: String
  /// Current value.
  public var value: Matrix<Scalar>
  /// Gradient of the loss with respect to `value`, same shape.
  public var gradient: Matrix<Scalar>
  /// Whether weight decay applies (weights of linear layers: yes; biases and norm scales/shifts: no).
  public let decays: Bool

  /// Creates a parameter with a zero gradient.
  public init(name: String, value: Matrix<Scalar>, decays: Bool) {
    self.name = name
    self.value = value
    self.gradient = Matrix(rows: value.rows, columns: value.columns)
    self.decays = decays
  }

  /// Clears the gradient.
  public func zeroGradient() { gradient.setZero() }
}

/// A non-trainable tensor that is part of a model's state (batch-norm running statistics).
public final class Buffer<Scalar: TrainingScalar> {
  /// Unique name within a model (the checkpoint tensor name).
  public let name: String
  /// Current value.
  public var value: Matrix<Scalar>

  /// Creates a buffer.
  public init(name: String, value: Matrix<Scalar>) {
    self.name = name
    self.value = value
  }
}

/// Anything holding parameters and buffers (layers, networks, DCMs).
public protocol ParameterContainer<Scalar>: AnyObject {
  /// The scalar type.
  associatedtype Scalar: TrainingScalar
  /// Trainable parameters, in a fixed order.
  var parameters: [Parameter<Scalar>] { get }
  /// Non-trainable state, in a fixed order.
  var buffers: [Buffer<Scalar>] { get }
}

extension ParameterContainer {
  /// No buffers by default.
  public var buffers: [Buffer<Scalar>] { [] }
}

/// The parameters and buffers of one or more containers under unique names: what an optimiser updates and
/// a checkpoint saves.
public struct ParameterSet<Scalar: TrainingScalar> {
  /// All parameters, in registration order.
  public let parameters: [Parameter<Scalar>]
  /// All buffers, in registration order.
  public let buffers: [Buffer<Scalar>]

  /// Collects the parameters and buffers of `containers`.
  ///
  /// - Throws: `TrainingError.invalidConfiguration` when two tensors share a name.
  public init(_ containers: [any ParameterContainer<Scalar>]) throws {
    let parameters = containers.flatMap { $0.parameters }
    let buffers = containers.flatMap { $0.buffers }
    var seen = Set<String>()
    for name in parameters.map(\.name) + buffers.map(\.name) where !seen.insert(name).inserted {
      throw TrainingError.invalidConfiguration("two tensors are named '\(name)'")
    }
    self.parameters = parameters
    self.buffers = buffers
  }

  /// Total number of trainable scalars.
  public var scalarCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// Clears every gradient.
  public func zeroGradients() { for p in parameters { p.zeroGradient() } }

  /// Euclidean norm of all gradients together: each tensor's sum of squares (in element order), added in
  /// parameter order. The tensors' sums run in parallel on `BLASThreads`' threads with the same result.
  public var gradientNorm: Double {
    let tensors = parameters
    var sums = [Double](repeating: 0, count: tensors.count)
    let total = tensors.reduce(0) { $0 + $1.gradient.count }
    if ParallelLoops.parts(count: total, grain: 4 * ParallelLoops.elementGrain) > 1 {
      sums.withUnsafeMutableBufferPointer { s in
        guard let sp = s.baseAddress else { return }
        // Largest first, so the threads finish together.
        let order = tensors.indices.sorted { tensors[$0].gradient.count > tensors[$1].gradient.count }
        ParallelLoops.forEach(order.count) { k in
          let i = order[k]
          sp[i] = tensors[i].gradient.squaredSum
        }
      }
    } else {
      for (i, p) in tensors.enumerated() { sums[i] = p.gradient.squaredSum }
    }
    return sums.reduce(0, +).squareRoot()
  }

  /// Scales all gradients down so their joint norm is at most `maxNorm`; returns the norm before clipping.
  @discardableResult
  public func clipGradientNorm(_ maxNorm: Double) -> Double {
    let norm = gradientNorm
    if norm > maxNorm, norm.isFinite, maxNorm > 0 {
      let s = Scalar(maxNorm / norm)
      for p in parameters { p.gradient.scale(by: s) }
    }
    return norm
  }

  /// The parameter named `name`, if any.
  public func parameter(named name: String) -> Parameter<Scalar>? { parameters.first { $0.name == name } }
}
