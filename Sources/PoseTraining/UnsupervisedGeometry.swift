// PoseTraining: the differentiable geometry and losses of unsupervised lifting — depth assembly,
// rotation about the vertical axis, orthographic re-projection with renormalisation, bone symmetry and
// bone-ratio priors, and the discriminator's logistic losses.

import Foundation
import PoseCore
import PoseLifting

/// Differentiable pieces of the self-consistency cycle (Chen et al., CVPR 2019), in normalised units.
///
/// Camera model: orthographic (weak perspective). A normalised 2D pose x (17 points, pelvis at the origin,
/// RMS 1, x right, y down) and per-joint depths z (pelvis depth 0) give the 3D pose P_j = (x_j, y_j, z_j)
/// in the same units, z pointing away from the camera. Rotation about the vertical (image y) axis by θ:
/// X' = cos θ·X + sin θ·Z, Y' = Y, Z' = −sin θ·X + cos θ·Z. Projection keeps (X', Y'); renormalisation
/// subtracts the pelvis and divides by s = √(1/17 Σ‖d_j‖² + ε²) (ε = 1e-6 keeps it differentiable), so the
/// re-projection is a valid lifter input, and s is returned to undo the scale after lifting again.
///
/// Layouts: poses are B × 51 (x, y, z per joint), 2D poses B × 34, depths B × 16 (joints 1…16).
public enum UnsupervisedGeometry {
  /// Joints per pose.
  public static let joints = H36M17.count

  /// P = (x, y, z) with z_0 = 0: B × 51 from 2D (B × 34) and depths (B × 16).
  public static func assemble<S: TrainingScalar>(_ xy: Matrix<S>, depths: Matrix<S>) -> Matrix<S> {
    precondition(xy.columns == 2 * joints && depths.columns == joints - 1 && xy.rows == depths.rows)
    var p = Matrix<S>(rows: xy.rows, columns: 3 * joints)
    for b in 0..<xy.rows {
      for j in 0..<joints {
        p[b, 3 * j] = xy[b, 2 * j]
        p[b, 3 * j + 1] = xy[b, 2 * j + 1]
        p[b, 3 * j + 2] = j == 0 ? 0 : depths[b, j - 1]
      }
    }
    return p
  }

  /// Splits ∂L/∂P (B × 51) into ∂L/∂xy (B × 34) and ∂L/∂depths (B × 16).
  public static func split<S: TrainingScalar>(_ g: Matrix<S>) -> (xy: Matrix<S>, depths: Matrix<S>) {
    var xy = Matrix<S>(rows: g.rows, columns: 2 * joints)
    var z = Matrix<S>(rows: g.rows, columns: joints - 1)
    for b in 0..<g.rows {
      for j in 0..<joints {
        xy[b, 2 * j] = g[b, 3 * j]
        xy[b, 2 * j + 1] = g[b, 3 * j + 1]
        if j > 0 { z[b, j - 1] = g[b, 3 * j + 2] }
      }
    }
    return (xy, z)
  }

  /// Rotates every pose of `p` (B × 51) about the vertical axis by its angle (`angles[b]`, radians).
  /// The gradient of a rotation is the rotation by −θ of the output gradient.
  public static func rotate<S: TrainingScalar>(_ p: Matrix<S>, angles: [S]) -> Matrix<S> {
    precondition(p.columns == 3 * joints && angles.count == p.rows)
    var out = p
    for b in 0..<p.rows {
      let c = S(cos(Double(angles[b])))
      let s = S(sin(Double(angles[b])))
      for j in 0..<joints {
        let x = p[b, 3 * j]
        let z = p[b, 3 * j + 2]
        out[b, 3 * j] = c * x + s * z
        out[b, 3 * j + 2] = -s * x + c * z
      }
    }
    return out
  }

  /// Renormalisation constant ε (see the type's documentation).
  public static let scaleEpsilon = 1e-6

  /// Orthographic projection of B × 51 poses and renormalisation: the normalised 2D (B × 34) and the
  /// scale s of each pose.
  public static func projectNormalized<S: TrainingScalar>(_ p: Matrix<S>) -> (
    normalized: Matrix<S>, scales: [S]
  ) {
    precondition(p.columns == 3 * joints)
    var out = Matrix<S>(rows: p.rows, columns: 2 * joints)
    var scales = [S](repeating: 1, count: p.rows)
    let eps2 = S(scaleEpsilon * scaleEpsilon)
    for b in 0..<p.rows {
      let rx = p[b, 0]
      let ry = p[b, 1]
      var sum: S = 0
      for j in 0..<joints {
        let dx = p[b, 3 * j] - rx
        let dy = p[b, 3 * j + 1] - ry
        sum += dx * dx + dy * dy
      }
      let s = (sum / S(joints) + eps2).squareRoot()
      scales[b] = s
      for j in 0..<joints {
        out[b, 2 * j] = (p[b, 3 * j] - rx) / s
        out[b, 2 * j + 1] = (p[b, 3 * j + 1] - ry) / s
      }
    }
    return (out, scales)
  }

  /// Back-propagates ∂L/∂normalized (B × 34) and ∂L/∂s (B) of `projectNormalized` to ∂L/∂P (B × 51; the
  /// z entries are 0).
  public static func projectNormalizedBackward<S: TrainingScalar>(
    _ p: Matrix<S>, normalized: Matrix<S>, scales: [S], gradient g: Matrix<S>, scaleGradient gs: [S]
  ) -> Matrix<S> {
    var out = Matrix<S>(rows: p.rows, columns: 3 * joints)
    for b in 0..<p.rows {
      let s = scales[b]
      // x̃ = d/s, s = √(Σ‖d‖²/17 + ε²): ∂L/∂d_j = g_j/s + (gs − Σ_k g_k·x̃_k / s)·d_j/(17 s).
      var dot: S = 0
      for k in 0..<(2 * joints) { dot += g[b, k] * normalized[b, k] }
      let total = gs[b] - dot / s
      var sumX: S = 0
      var sumY: S = 0
      for j in 1..<joints {
        let dx = normalized[b, 2 * j] * s
        let dy = normalized[b, 2 * j + 1] * s
        let gx = g[b, 2 * j] / s + total * dx / (S(joints) * s)
        let gy = g[b, 2 * j + 1] / s + total * dy / (S(joints) * s)
        out[b, 3 * j] = gx
        out[b, 3 * j + 1] = gy
        sumX += gx
        sumY += gy
      }
      // d_0 ≡ 0; the pelvis enters every other d_j with a minus sign.
      out[b, 0] = -sumX
      out[b, 1] = -sumY
    }
    return out
  }

  /// s·Q for each pose (B × 51 scaled by `scales[b]`).
  public static func scaled<S: TrainingScalar>(_ q: Matrix<S>, _ scales: [S]) -> Matrix<S> {
    var out = q
    for b in 0..<q.rows {
      for c in 0..<q.columns { out[b, c] *= scales[b] }
    }
    return out
  }

  /// Bone vectors' lengths of B × 51 poses (B × 16, `H36M17.bones` order), smoothed as √(‖v‖² + ε²).
  public static func boneLengths<S: TrainingScalar>(_ p: Matrix<S>, smoothing: Double) -> Matrix<S> {
    var out = Matrix<S>(rows: p.rows, columns: H36M17.bones.count)
    let e2 = S(smoothing * smoothing)
    for b in 0..<p.rows {
      for (k, bone) in H36M17.bones.enumerated() {
        var sum: S = 0
        for c in 0..<3 {
          let d = p[b, 3 * bone.child + c] - p[b, 3 * bone.parent + c]
          sum += d * d
        }
        out[b, k] = (sum + e2).squareRoot()
      }
    }
    return out
  }

  /// Adds ∂L/∂P for ∂L/∂lengths (B × 16) of `boneLengths` into `gradient` (B × 51).
  public static func boneLengthsBackward<S: TrainingScalar>(
    _ p: Matrix<S>, lengths: Matrix<S>, gradient gl: Matrix<S>, into gradient: inout Matrix<S>
  ) {
    for b in 0..<p.rows {
      for (k, bone) in H36M17.bones.enumerated() where gl[b, k] != 0 {
        let f = gl[b, k] / lengths[b, k]
        for c in 0..<3 {
          let d = p[b, 3 * bone.child + c] - p[b, 3 * bone.parent + c]
          gradient[b, 3 * bone.child + c] += f * d
          gradient[b, 3 * bone.parent + c] -= f * d
        }
      }
    }
  }

  /// Left/right symmetry: L = 1/(B·6) Σ_pairs (ℓ_left − ℓ_right)², and ∂L/∂lengths.
  public static func symmetryLoss<S: TrainingScalar>(_ lengths: Matrix<S>) -> LossResult<S> {
    var g = Matrix<S>(rows: lengths.rows, columns: lengths.columns)
    guard lengths.rows > 0 else { return LossResult(value: 0, gradient: g) }
    let n = S(lengths.rows * H36M17.bonePairs.count)
    var total = 0.0
    for b in 0..<lengths.rows {
      for pair in H36M17.bonePairs {
        let d = lengths[b, pair.left] - lengths[b, pair.right]
        total += Double(d * d)
        g[b, pair.left] += 2 * d / n
        g[b, pair.right] -= 2 * d / n
      }
    }
    return LossResult(value: total / Double(n), gradient: g)
  }

  /// Bone-length-ratio prior: with r_k = ℓ_k / Σℓ and reference ρ_k = f_k / Σf (f: `reference`, e.g.
  /// `Anthropometry.h36mBoneFractions`), L = 1/(B·16) Σ (r_k − ρ_k)², and ∂L/∂lengths.
  public static func ratioLoss<S: TrainingScalar>(_ lengths: Matrix<S>, reference: [Double]) -> LossResult<S>
  {
    let k = lengths.columns
    precondition(reference.count == k)
    var g = Matrix<S>(rows: lengths.rows, columns: k)
    guard lengths.rows > 0 else { return LossResult(value: 0, gradient: g) }
    let refSum = reference.reduce(0, +)
    let rho = reference.map { S($0 / refSum) }
    let n = S(lengths.rows * k)
    var total = 0.0
    for b in 0..<lengths.rows {
      var sum: S = 0
      for c in 0..<k { sum += lengths[b, c] }
      var e = [S](repeating: 0, count: k)
      var er: S = 0
      for c in 0..<k {
        let r = lengths[b, c] / sum
        e[c] = r - rho[c]
        total += Double(e[c] * e[c])
        er += e[c] * r
      }
      for c in 0..<k { g[b, c] = 2 * (e[c] - er) / (n * sum) }
    }
    return LossResult(value: total / Double(n), gradient: g)
  }

  /// Logistic loss of logits (B × 1) against one label: mean of softplus(−a) for real (label 1),
  /// softplus(a) for fake (label 0), with ∂L/∂logits. With label 1 on fakes this is the generator's
  /// non-saturating loss −log σ(D(fake)).
  public static func logisticLoss<S: TrainingScalar>(_ logits: Matrix<S>, real: Bool) -> LossResult<S> {
    var g = Matrix<S>(rows: logits.rows, columns: logits.columns)
    guard logits.count > 0 else { return LossResult(value: 0, gradient: g) }
    let n = S(logits.count)
    var total = 0.0
    for i in 0..<logits.count {
      let a = real ? -logits[i] : logits[i]
      // softplus(a) = max(a, 0) + log(1 + e^−|a|), derivative σ(a).
      let d = Double(a)
      total += max(d, 0) + Foundation.log1p(Foundation.exp(-abs(d)))
      let sig = S.sigmoid(a)
      g[i] = (real ? -sig : sig) / n
    }
    return LossResult(value: total / Double(logits.count), gradient: g)
  }
}

/// Leaky rectified linear unit: `x` for x > 0, `slope · x` otherwise.
public final class LeakyReLU<Scalar: TrainingScalar>: Layer {
  /// Slope for negative inputs.
  public let slope: Scalar
  private var positive: [Bool] = []

  /// Creates the layer (slope 0.2 by default, as in DCGAN discriminators).
  public init(slope: Double = 0.2) { self.slope = Scalar(slope) }

  public var parameters: [Parameter<Scalar>] { [] }

  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    var y = input
    var mask = [Bool](repeating: true, count: input.count)
    for i in 0..<y.count where !(y[i] > 0) {
      y[i] *= slope
      mask[i] = false
    }
    positive = mask
    return y
  }

  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    precondition(outputGradient.count == positive.count, "LeakyReLU: backward does not match forward")
    var g = outputGradient
    for i in 0..<g.count where !positive[i] { g[i] *= slope }
    return g
  }
}

/// The 2D pose discriminator: `Linear(34 → w) → LeakyReLU → Linear(w → w) → LeakyReLU → Linear(w → 1)`,
/// one logit per normalised 2D pose (real: a training input; fake: a re-projection of a rotated lifted pose).
public final class PoseDiscriminator<Scalar: TrainingScalar>: Layer {
  /// The layers.
  public let network: Sequential<Scalar>

  /// Builds the network with He-initialised weights from `rng`.
  public init(name: String, width: Int, rng: inout Xoshiro256) {
    let n = KeypointNormalization.inputCount
    network = Sequential([
      Linear<Scalar>(name: "\(name).linear1", inputs: n, outputs: width, rng: &rng), LeakyReLU<Scalar>(),
      Linear<Scalar>(name: "\(name).linear2", inputs: width, outputs: width, rng: &rng), LeakyReLU<Scalar>(),
      Linear<Scalar>(name: "\(name).output", inputs: width, outputs: 1, rng: &rng, weightScale: 0.1),
    ])
  }

  public var parameters: [Parameter<Scalar>] { network.parameters }

  public func forward(_ input: Matrix<Scalar>, context: inout ForwardContext) -> Matrix<Scalar> {
    network.forward(input, context: &context)
  }

  public func backward(_ outputGradient: Matrix<Scalar>) -> Matrix<Scalar> {
    network.backward(outputGradient)
  }
}

extension UnsupervisedGeometry {
  /// Chirality prior: the body's forward direction f = (left hip − right hip) × (thorax − pelvis) (a
  /// right-handed frame) must agree with the nose (neck_nose − thorax) and the knees (knee − midpoint of
  /// hip and ankle) pointing forward. With scores c = v · f, L = mean over poses and the 3 terms of
  /// τ·softplus(−c/τ), and ∂L/∂P (B × 51).
  ///
  /// Why: a lifter whose depths are mirrored (z → −z) is exactly as self-consistent as the true one, and its
  /// rotated projections are the same set of 2D poses, so neither the consistency losses nor the 2D
  /// discriminator can tell them apart; only this anatomical prior (a mirrored skeleton has its nose behind
  /// the face and knees bending backwards) fixes the sign. It uses no 3D data.
  public static func chiralityLoss<S: TrainingScalar>(_ p: Matrix<S>, temperature tau: Double) -> LossResult<
    S
  > {
    var g = Matrix<S>(rows: p.rows, columns: p.columns)
    guard p.rows > 0 else { return LossResult(value: 0, gradient: g) }
    func joint(_ b: Int, _ j: Int) -> Vec3 {
      Vec3(Double(p[b, 3 * j]), Double(p[b, 3 * j + 1]), Double(p[b, 3 * j + 2]))
    }
    func add(_ b: Int, _ j: Int, _ v: Vec3) {
      for c in 0..<3 { g[b, 3 * j + c] += S(v[c]) }
    }
    // Terms: v = tip − Σ w·base.
    let terms: [(tip: Int, base: [(Int, Double)])] = [
      (9, [(8, 1)]), (2, [(1, 0.5), (3, 0.5)]), (5, [(4, 0.5), (6, 0.5)]),
    ]
    let n = Double(p.rows * terms.count)
    var total = 0.0
    for b in 0..<p.rows {
      let a = joint(b, 4) - joint(b, 1)
      let u = joint(b, 8) - joint(b, 0)
      let f = a.cross(u)
      for term in terms {
        var v = joint(b, term.tip)
        for (j, w) in term.base { v -= w * joint(b, j) }
        let score = v.dot(f)
        // τ·softplus(−c/τ), derivative −σ(−c/τ).
        let z = -score / tau
        total += tau * (max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z))))
        let k = -Double.sigmoid(z) / n
        add(b, term.tip, k * f)
        for (j, w) in term.base { add(b, j, -w * k * f) }
        let ga = k * u.cross(v)
        let gu = k * v.cross(a)
        add(b, 4, ga)
        add(b, 1, -ga)
        add(b, 8, gu)
        add(b, 0, -gu)
      }
    }
    return LossResult(value: total / Double(n), gradient: g)
  }
}
