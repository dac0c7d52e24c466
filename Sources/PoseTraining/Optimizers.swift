// PoseTraining: Adam and AdamW optimisers and learning-rate schedules (warm-up, exponential, cosine).

import Foundation

/// Adam with coupled L2 decay, or AdamW.
public enum AdamVariant: String, Codable, Sendable {
  /// L2 penalty added to the gradient.
  case adam
  /// Decoupled weight decay.
  case adamW
}

/// Hyper-parameters of `Adam`.
public struct AdamSettings: Codable, Sendable, Equatable {
  /// Which weight decay.
  public var variant: AdamVariant = .adam
  /// β₁.
  public var beta1: Double = 0.9
  /// β₂.
  public var beta2: Double = 0.999
  /// ε.
  public var epsilon: Double = 1e-8
  /// λ (0 disables weight decay).
  public var weightDecay: Double = 0

  /// Creates settings.
  public init(
    variant: AdamVariant = .adam, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
    weightDecay: Double = 0
  ) {
    self.variant = variant
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }
}

/// Adam (Kingma & Ba 2015) with either L2 weight decay added to the gradient ("Adam") or decoupled weight
/// decay (Loshchilov & Hutter 2019, "AdamW"). Weight decay applies only to parameters with `decays`.
///
/// Per parameter θ with gradient g, at step t (1-based):
///
///     Adam:   g ← g + λθ
///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
///     m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
///     θ ← θ − lr · m̂ / (√v̂ + ε)
///     AdamW:  θ ← θ − lr · λ · θ  (before the Adam update, as PyTorch)
public final class Adam<Scalar: TrainingScalar> {
  /// The hyper-parameters type.
  public typealias Settings = AdamSettings

  /// The hyper-parameters.
  public let settings: Settings
  /// Number of updates done.
  public private(set) var step = 0
  /// First moments by parameter name.
  public private(set) var firstMoments: [String: Matrix<Scalar>] = [:]
  /// Second moments by parameter name.
  public private(set) var secondMoments: [String: Matrix<Scalar>] = [:]

  /// Creates an optimiser with zero state.
  public init(settings: Settings = Settings()) throws {
    guard settings.beta1 >= 0, settings.beta1 < 1, settings.beta2 >= 0, settings.beta2 < 1,
      settings.epsilon > 0, settings.weightDecay >= 0
    else {
      throw TrainingError.invalidConfiguration(
        "Adam needs 0 ≤ β₁, β₂ < 1, ε > 0 and weight decay ≥ 0 (got \(settings))")
    }
    self.settings = settings
  }

  /// Applies one update with learning rate `learningRate` to every parameter from its gradient.
  ///
  /// The moments are updated in place (no copy of their storage) and large tensors are split into
  /// `threads` contiguous ranges updated in parallel; every element is computed by the same formula in any
  /// case, so the result does not depend on the thread count.
  @_specialize(where Scalar == Float)
  public func update(_ parameters: [Parameter<Scalar>], learningRate: Double, threads: Int = 1) {
    step += 1
    let b1 = Scalar(settings.beta1)
    let b2 = Scalar(settings.beta2)
    let c1 = 1 - Foundation.pow(settings.beta1, Double(step))
    let c2 = 1 - Foundation.pow(settings.beta2, Double(step))
    // θ −= lr·m̂/(√v̂ + ε) written as θ −= (lr/c1)·m / (√(v/c2) + ε).
    let lrOverC1 = Scalar(learningRate / c1)
    let invC2 = Scalar(1 / c2)
    let eps = Scalar(settings.epsilon)
    for p in parameters {
      let decay = p.decays ? Scalar(settings.weightDecay) : 0
      let coupled = settings.variant == .adam
      let shrink = settings.variant == .adamW ? 1 - Scalar(learningRate) * decay : 1
      if firstMoments[p.name] == nil {
        firstMoments[p.name] = Matrix(rows: p.value.rows, columns: p.value.columns)
      }
      if secondMoments[p.name] == nil {
        secondMoments[p.name] = Matrix(rows: p.value.rows, columns: p.value.columns)
      }
      let g = p.gradient
      // In place through the dictionaries' modify accessors: the moment arrays stay uniquely referenced.
      firstMoments[p.name]!.withUnsafeMutableBufferPointer { mp in
        secondMoments[p.name]!.withUnsafeMutableBufferPointer { vp in
          g.withUnsafeBufferPointer { gp in
            p.value.withUnsafeMutableBufferPointer { theta in
              let n = theta.count
              let k = AdamKernel(
                m: mp.baseAddress!, v: vp.baseAddress!, g: gp.baseAddress!, theta: theta.baseAddress!, b1: b1,
                b2: b2, decay: coupled ? decay : 0, shrink: shrink, lrOverC1: lrOverC1, invC2: invC2, eps: eps
              )
              let parts = n >= 1 << 16 ? max(1, min(threads, 16)) : 1
              if parts == 1 {
                k.run(0..<n)
              } else {
                let chunk = (n + parts - 1) / parts
                DispatchQueue.concurrentPerform(iterations: parts) { i in
                  k.run((i * chunk)..<min(n, (i + 1) * chunk))
                }
              }
            }
          }
        }
      }
    }
  }

  /// Replaces the state (from a checkpoint).
  public func restore(step: Int, first: [String: Matrix<Scalar>], second: [String: Matrix<Scalar>]) {
    self.step = step
    firstMoments = first
    secondMoments = second
  }
}

/// One Adam update over a range of elements (raw pointers, so disjoint ranges can run on several threads).
private struct AdamKernel<Scalar: TrainingScalar>: @unchecked Sendable {
  let m: UnsafeMutablePointer<Scalar>
  let v: UnsafeMutablePointer<Scalar>
  let g: UnsafePointer<Scalar>
  let theta: UnsafeMutablePointer<Scalar>
  let b1: Scalar, b2: Scalar, decay: Scalar, shrink: Scalar, lrOverC1: Scalar, invC2: Scalar, eps: Scalar

  func run(_ range: Range<Int>) {
    var start = range.lowerBound
    if Scalar.self == Float.self { start = runFloat8(range) }
    for i in start..<range.upperBound {
      let gi = g[i] + decay * theta[i]
      m[i] = b1 * m[i] + (1 - b1) * gi
      v[i] = b2 * v[i] + (1 - b2) * gi * gi
      theta[i] = shrink * theta[i] - lrOverC1 * m[i] / ((v[i] * invC2).squareRoot() + eps)
    }
  }

  /// The same formula eight Floats at a time (each lane rounds exactly as the scalar loop); returns where
  /// the scalar loop takes over.
  private func runFloat8(_ range: Range<Int>) -> Int {
    typealias V = SIMD8<Float>
    func splat(_ x: Scalar) -> V { V(repeating: unsafeBitCast(x, to: Float.self)) }
    let (b1, b2, oneMinusB1, oneMinusB2) = (splat(b1), splat(b2), splat(1 - b1), splat(1 - b2))
    let (decay, shrink, lrOverC1, invC2, eps) = (
      splat(decay), splat(shrink), splat(lrOverC1), splat(invC2), splat(eps)
    )
    let stride = MemoryLayout<Float>.stride
    let (mp, vp, gp, tp) = (
      UnsafeMutableRawPointer(m), UnsafeMutableRawPointer(v), UnsafeRawPointer(g),
      UnsafeMutableRawPointer(theta)
    )
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
      let o = i * stride
      let t = tp.loadUnaligned(fromByteOffset: o, as: V.self)
      let gi = gp.loadUnaligned(fromByteOffset: o, as: V.self) + decay * t
      let mi = b1 * mp.loadUnaligned(fromByteOffset: o, as: V.self) + oneMinusB1 * gi
      let vi = b2 * vp.loadUnaligned(fromByteOffset: o, as: V.self) + oneMinusB2 * gi * gi
      mp.storeBytes(of: mi, toByteOffset: o, as: V.self)
      vp.storeBytes(of: vi, toByteOffset: o, as: V.self)
      tp.storeBytes(
        of: shrink * t - lrOverC1 * mi / ((vi * invC2).squareRoot() + eps), toByteOffset: o, as: V.self)
      i += 8
    }
    return i
  }
}

/// Learning rate as a function of the step: optional linear warm-up, then a decay.
///
/// `rate(at: t)` for 0-based step t: during warm-up (`t < warmupSteps`) `base · (t + 1) / warmupSteps`;
/// afterwards with s = t − warmupSteps:
/// - `.constant`: `base`;
/// - `.exponential(factor, every)`: `base · factor^(s / every)` (continuous exponent; Martinez et al. use
///   1e-3 · 0.96^(s / 100 000));
/// - `.cosine(totalSteps, minimumFactor)`: `base · (f + (1 − f) · ½(1 + cos(π · min(s, n) / n)))` with
///   n = totalSteps − warmupSteps (at least 1) and f = minimumFactor.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
  /// Decay after warm-up.
  public enum Decay: Codable, Sendable, Equatable {
    /// No decay.
    case constant
    /// Multiply by `factor` every `every` steps (smoothly).
    case exponential(factor: Double, every: Double)
    /// Cosine from base to `minimumFactor · base` at `totalSteps`.
    case cosine(totalSteps: Int, minimumFactor: Double)
  }

  /// Peak learning rate.
  public var base: Double
  /// Linear warm-up steps (0 for none).
  public var warmupSteps: Int
  /// Decay after warm-up.
  public var decay: Decay

  /// Creates a schedule.
  public init(base: Double, warmupSteps: Int = 0, decay: Decay = .constant) {
    self.base = base
    self.warmupSteps = warmupSteps
    self.decay = decay
  }

  /// Checks that the values are finite and in range.
  public func validate() throws {
    var ok = base > 0 && base.isFinite && warmupSteps >= 0
    switch decay {
    case .constant: break
    case .exponential(let factor, let every): ok = ok && factor > 0 && factor <= 1 && every > 0
    case .cosine(let total, let minimum): ok = ok && total > 0 && minimum >= 0 && minimum <= 1
    }
    guard ok else { throw TrainingError.invalidConfiguration("learning-rate schedule out of range: \(self)") }
  }

  /// The learning rate for 0-based step `step`.
  public func rate(at step: Int) -> Double {
    if step < warmupSteps { return base * Double(step + 1) / Double(warmupSteps) }
    let s = Double(step - warmupSteps)
    switch decay {
    case .constant:
      return base
    case .exponential(let factor, let every):
      return base * Foundation.pow(factor, s / every)
    case .cosine(let total, let minimum):
      let n = Double(max(1, total - warmupSteps))
      let progress = min(s, n) / n
      return base * (minimum + (1 - minimum) * 0.5 * (1 + cos(Double.pi * progress)))
    }
  }
}
