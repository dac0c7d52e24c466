// PoseTraining: the adjustment network of AITE in training — cascaded Disturbance-Correction Modules
// (DCM) with forward and backward passes (PoseLifting's `AdjustmentCascade` runs them at inference).

import PoseCore
import PoseLifting

/// One Disturbance-Correction Module: perturbs a pose (training only), then moves joints along bones so
/// bone lengths approach the given (ground-truth) lengths, with learned confidences and gates.
///
/// Design (see `AdjustmentNetwork` for where it follows AITEPose and where the paper is silent).
/// Per sample, with input pose x (J joints, root-relative, pose units) and target lengths b (one per bone):
///
/// 1. Disturbance (training only): x̃ = x + noise (`DCMDisturbance`); in evaluation x̃ = x.
/// 2. For bone k from parent p to child c: d = x̃_c − x̃_p, current length l = √(‖d‖² + ε²) with
///    ε = 1e-6 · featureScale (smooth at 0), direction u = d / l, gap Δ = b_k − l.
/// 3. Head (Linear → ReLU → Linear) on [x̃ / featureScale, Δ / gapScale] outputs per-joint confidence
///    logits a_j and per-bone gate logits z_k. Gate g_k = σ(z_k). The child's share of the correction is
///    s_k = σ(a_p − a_c) — a softmax over the two joints' negated confidences, so the less confident joint
///    moves more; with `pinRoot` a bone at the root gives its child the whole share (s = 1).
/// 4. Correction, all bones from the same x̃ and summed per joint (joints with several bones — pelvis,
///    thorax — receive the sum of their bones' shifts):
///    y_c += g_k Δ s_k u,   y_p −= g_k Δ (1 − s_k) u,   y = x̃ + Σ shifts.
///    With g = 1 a single bone would reach length b exactly; smaller gates correct partially.
///
/// `backward` returns ∂L/∂x and ∂L/∂b (so a learned bone-length head could feed b).
public final class DisturbanceCorrectionModule<Scalar: TrainingScalar>: ParameterContainer {
  /// The configuration.
  public let config: DCMConfig
  /// Parent of each joint (nil for the root), every parent index lower than its child's.
  public let parents: [Int?]
  /// Bones as (parent, child), one per non-root joint, in joint order.
  public let bones: [(parent: Int, child: Int)]
  /// The confidence/gate head: [3J + bones] → hidden → [J + bones].
  public let head: Sequential<Scalar>

  private struct Cache {
    var disturbed: Matrix<Scalar>
    var boneFactors: Matrix<Scalar>?
    var direction: [Scalar]  // B × bones × 3 (u)
    var length: [Scalar]  // B × bones (l)
    var gap: [Scalar]  // B × bones (Δ)
    var share: [Scalar]  // B × bones (s)
    var gate: [Scalar]  // B × bones (g)
  }
  private var cache: Cache?

  /// Number of joints.
  public var jointCount: Int { parents.count }

  /// Creates a module with head weights drawn from `rng`; tensor names are prefixed by `name`.
  ///
  /// - Throws: `TrainingError.invalidConfiguration` for a bad configuration or a parent list that is not a
  ///   single tree with parents before children.
  public init(name: String, config: DCMConfig, parents: [Int?] = H36M17.parents, rng: inout Xoshiro256) throws
  {
    try TrainingError.converting { try config.validate() }
    guard parents.first.map({ $0 == nil }) == true, parents.count >= 2 else {
      throw TrainingError.invalidConfiguration("DCM skeleton needs ≥ 2 joints with joint 0 the root")
    }
    var bones: [(Int, Int)] = []
    for (j, p) in parents.enumerated().dropFirst() {
      guard let p, p >= 0, p < j else {
        throw TrainingError.invalidConfiguration(
          "DCM skeleton: joint \(j) must have a parent with a lower index (got \(String(describing: p)))")
      }
      bones.append((p, j))
    }
    self.config = config
    self.parents = parents
    self.bones = bones
    let j = parents.count
    let output = Linear<Scalar>(
      name: "\(name).head.output", inputs: config.hiddenWidth, outputs: j + bones.count, rng: &rng,
      weightScale: config.headOutputScale)
    for k in 0..<bones.count { output.bias.value[j + k] = Scalar(config.initialGateLogit) }
    head = Sequential([
      Linear<Scalar>(
        name: "\(name).head.hidden", inputs: 3 * j + bones.count, outputs: config.hiddenWidth, rng: &rng),
      ReLU<Scalar>(),
      output,
    ])
  }

  public var parameters: [Parameter<Scalar>] { head.parameters }

  /// Adjusts a batch of poses (B × 3J) towards target bone lengths (B × bones).
  @_specialize(where Scalar == Float)
  public func forward(
    _ pose: Matrix<Scalar>, lengths: Matrix<Scalar>, context: inout ForwardContext
  ) -> Matrix<Scalar> {
    let nj = jointCount
    let nb = bones.count
    let batch = pose.rows
    precondition(pose.columns == 3 * nj, "DCM: pose has \(pose.columns) columns, need \(3 * nj)")
    precondition(lengths.rows == batch && lengths.columns == nb, "DCM: lengths must be \(batch)×\(nb)")

    // 1. Disturbance.
    var disturbed = pose
    var factors: Matrix<Scalar>? = nil
    if context.training {
      switch config.disturbance {
      case .none: break
      case .jointNoise(let sigma) where sigma > 0:
        for r in 0..<batch {
          for c in 3..<(3 * nj) { disturbed[r, c] += Scalar(sigma * context.rng.normal()) }
        }
      case .boneScaling(let sigma) where sigma > 0:
        var f = Matrix<Scalar>(rows: batch, columns: nb)
        for i in 0..<f.count { f[i] = Scalar(min(1.5, max(0.5, 1 + sigma * context.rng.normal()))) }
        disturbed = rebuild(pose, factors: f)
        factors = f
      default: break
      }
    }

    // 2. Bone geometry and head input.
    let eps2 = Scalar(1e-6 * config.featureScale) * Scalar(1e-6 * config.featureScale)
    var direction = [Scalar](repeating: 0, count: batch * nb * 3)
    var length = [Scalar](repeating: 0, count: batch * nb)
    var gap = [Scalar](repeating: 0, count: batch * nb)
    var headInput = Matrix<Scalar>(rows: batch, columns: 3 * nj + nb)
    let invFeature = Scalar(1 / config.featureScale)
    let invGap = Scalar(1 / config.gapScale)
    for r in 0..<batch {
      for c in 0..<(3 * nj) { headInput[r, c] = disturbed[r, c] * invFeature }
      for (k, bone) in bones.enumerated() {
        var d = [Scalar](repeating: 0, count: 3)
        var s2: Scalar = 0
        for a in 0..<3 {
          d[a] = disturbed[r, 3 * bone.child + a] - disturbed[r, 3 * bone.parent + a]
          s2 += d[a] * d[a]
        }
        let l = (s2 + eps2).squareRoot()
        let idx = r * nb + k
        length[idx] = l
        for a in 0..<3 { direction[3 * idx + a] = d[a] / l }
        gap[idx] = lengths[r, k] - l
        headInput[r, 3 * nj + k] = gap[idx] * invGap
      }
    }

    // 3. Head → shares and gates.
    let out = head.forward(headInput, context: &context)
    var share = [Scalar](repeating: 0, count: batch * nb)
    var gate = [Scalar](repeating: 0, count: batch * nb)
    for r in 0..<batch {
      for (k, bone) in bones.enumerated() {
        let idx = r * nb + k
        share[idx] =
          (config.pinRoot && bone.parent == 0) ? 1 : Scalar.sigmoid(out[r, bone.parent] - out[r, bone.child])
        gate[idx] = Scalar.sigmoid(out[r, nj + k])
      }
    }

    // 4. Corrections.
    var y = disturbed
    for r in 0..<batch {
      for (k, bone) in bones.enumerated() {
        let idx = r * nb + k
        let m = gate[idx] * gap[idx]
        for a in 0..<3 {
          let v = m * direction[3 * idx + a]
          y[r, 3 * bone.child + a] += share[idx] * v
          y[r, 3 * bone.parent + a] -= (1 - share[idx]) * v
        }
      }
    }
    cache = Cache(
      disturbed: disturbed, boneFactors: factors, direction: direction, length: length, gap: gap,
      share: share,
      gate: gate)
    return y
  }

  /// Back-propagates ∂L/∂output of the latest `forward`; accumulates the head's parameter gradients and
  /// returns ∂L/∂pose and ∂L/∂lengths.
  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> (pose: Matrix<Scalar>, lengths: Matrix<Scalar>) {
    guard let cache else { preconditionFailure("DCM: backward before forward") }
    let nj = jointCount
    let nb = bones.count
    let batch = cache.disturbed.rows
    precondition(outputGradient.rows == batch && outputGradient.columns == 3 * nj)
    let full = config.lengthGradient == .full
    var dx = outputGradient  // identity path y = x̃ + shifts
    var dLengths = Matrix<Scalar>(rows: batch, columns: nb)
    var dHeadOut = Matrix<Scalar>(rows: batch, columns: nj + nb)
    var dLength = [Scalar](repeating: 0, count: batch * nb)  // ∂L/∂l for each bone, filled below
    var dDirection = [Scalar](repeating: 0, count: batch * nb * 3)  // ∂L/∂u
    for r in 0..<batch {
      for (k, bone) in bones.enumerated() {
        let idx = r * nb + k
        let s = cache.share[idx]
        let g = cache.gate[idx]
        let gapValue = cache.gap[idx]
        let m = g * gapValue
        var qu: Scalar = 0
        var uSum: Scalar = 0
        for a in 0..<3 {
          let gc = outputGradient[r, 3 * bone.child + a]
          let gp = outputGradient[r, 3 * bone.parent + a]
          let u = cache.direction[3 * idx + a]
          let q = s * gc - (1 - s) * gp
          qu += q * u
          uSum += u * (gc + gp)
          dDirection[3 * idx + a] = m * q
        }
        let dm = qu
        let dShare = m * uSum
        let dGate = dm * gapValue
        let dGap = dm * g
        dHeadOut[r, nj + k] += dGate * g * (1 - g)
        if !(config.pinRoot && bone.parent == 0) {
          let ds = dShare * s * (1 - s)
          dHeadOut[r, bone.parent] += ds
          dHeadOut[r, bone.child] -= ds
        }
        dLengths[r, k] += dGap
        if full { dLength[idx] -= dGap }
      }
    }
    // Head backward: gradients to its inputs (pose features and gap features).
    let dHeadIn = head.backward(dHeadOut)
    let invFeature = Scalar(1 / config.featureScale)
    let invGap = Scalar(1 / config.gapScale)
    for r in 0..<batch {
      for c in 0..<(3 * nj) { dx[r, c] += dHeadIn[r, c] * invFeature }
      for k in 0..<nb {
        let dGapFeature = dHeadIn[r, 3 * nj + k] * invGap
        dLengths[r, k] += dGapFeature
        if full { dLength[r * nb + k] -= dGapFeature }
      }
    }
    // Through d = x̃_c − x̃_p: ∂L/∂d = ∂L/∂l · u + (∂L/∂u − u (u·∂L/∂u)) / l.
    for r in 0..<batch {
      for (k, bone) in bones.enumerated() {
        let idx = r * nb + k
        let l = cache.length[idx]
        var uDotDu: Scalar = 0
        for a in 0..<3 { uDotDu += cache.direction[3 * idx + a] * dDirection[3 * idx + a] }
        for a in 0..<3 {
          let u = cache.direction[3 * idx + a]
          let dd = dLength[idx] * u + (dDirection[3 * idx + a] - u * uDotDu) / l
          dx[r, 3 * bone.child + a] += dd
          dx[r, 3 * bone.parent + a] -= dd
        }
      }
    }
    if let f = cache.boneFactors { dx = rebuildBackward(dx, factors: f) }
    return (dx, dLengths)
  }

  /// x̃_root = x_root; x̃_c = x̃_p + f_k (x_c − x_p) in joint order (parents come first).
  @_specialize(where Scalar == Float)
  func rebuild(_ pose: Matrix<Scalar>, factors: Matrix<Scalar>) -> Matrix<Scalar> {
    var out = pose
    for r in 0..<pose.rows {
      for (k, bone) in bones.enumerated() {
        for a in 0..<3 {
          let v = pose[r, 3 * bone.child + a] - pose[r, 3 * bone.parent + a]
          out[r, 3 * bone.child + a] = out[r, 3 * bone.parent + a] + factors[r, k] * v
        }
      }
    }
    return out
  }

  /// Transpose of `rebuild` (it is linear in the pose for fixed factors).
  @_specialize(where Scalar == Float)
  func rebuildBackward(_ gradient: Matrix<Scalar>, factors: Matrix<Scalar>) -> Matrix<Scalar> {
    var acc = gradient  // ∂L/∂x̃, completed child-first
    var dx = Matrix<Scalar>(rows: gradient.rows, columns: gradient.columns)
    for r in 0..<gradient.rows {
      for (k, bone) in bones.enumerated().reversed() {
        for a in 0..<3 {
          let g = acc[r, 3 * bone.child + a]
          acc[r, 3 * bone.parent + a] += g
          dx[r, 3 * bone.child + a] += factors[r, k] * g
          dx[r, 3 * bone.parent + a] -= factors[r, k] * g
        }
      }
      for a in 0..<3 { dx[r, a] += acc[r, a] }
    }
    return dx
  }
}

/// AITE's adjustment network A: K cascaded Disturbance-Correction Modules, with gradients (training).
///
/// Where this follows AITEPose (Xie, Liu, Deng & Lu, "AITEPose: Learning an End-to-End Monocular 3D
/// Human Pose Estimator via Auxiliary-Information-Driven Training Enhancement", IEEE TCSVT 2025) — as
/// stated in its abstract and summarised in issue 4:
/// - A sits between the prediction network P and the loss during training; the paper's inference runs P
///   alone (PoseScope can also run a trained A at inference, with a subject's bone lengths:
///   `Lifter.adjust`).
/// - A is a cascade of DCMs that adjust the predicted pose using ground-truth bone lengths.
/// - Each DCM first disturbs its input pose in training, then corrects it: per bone, the gap between the
///   ground-truth and current length is split between the bone's two joints by per-joint confidences
///   from a small learned head (the less confident joint moves more), each shift is scaled by a learned
///   sigmoid gate, and joints move along the bone direction.
/// - The loss is L(P(x), y) + λ·L(A(P(x), b), y), optionally plus an online-distillation term pulling P
///   towards A's detached output ("inspired by online knowledge distillation"); gradients flow through A
///   into P.
///
/// Where the paper is silent (or its details were not available here) and what this implementation chose:
/// - The disturbance's distribution and scale: Gaussian per coordinate of non-root joints by default,
///   bone-length scaling as an alternative (`DCMDisturbance`), scale configurable; it is not
///   differentiated (x̃ = x + constant, or a linear rebuild for bone scaling).
/// - The head: one hidden ReLU layer on the disturbed pose and the length gaps, no normalisation (so it
///   does not depend on the batch); outputs are per-sample confidences and gates.
/// - How confidences split a gap: s = σ(a_parent − a_child), i.e. a two-way softmax of negated
///   confidence logits.
/// - Bones sharing a joint: all corrections are computed from the same input and summed (Jacobi-style),
///   not applied sequentially along the tree; the root can be pinned (`pinRoot`, default on, so a
///   root-relative pose stays root-relative).
/// - Stages do not share weights; each stage disturbs its own input.
/// - Gradient paths through the current lengths can be cut (`DCMLengthGradient.directionsOnly`), one of
///   the untried variants listed in `../shared/research/aite-on-lifting.md`; the others (loss weight
///   against L(P), a curriculum on λ, lengths from a learned head — `backward` returns ∂L/∂lengths for
///   that — bone-length disturbances, larger noise) are training-loop settings or already expressible
///   here.
public final class AdjustmentNetwork<Scalar: TrainingScalar>: ParameterContainer {
  /// The configuration.
  public let config: AdjustmentConfig
  /// The stages, applied in order.
  public let stages: [DisturbanceCorrectionModule<Scalar>]
  /// Number of bones (joints − 1).
  public let boneCount: Int

  /// Creates the cascade; stage i's tensors are named `<name>.dcm<i>.…`.
  public init(name: String, config: AdjustmentConfig, parents: [Int?] = H36M17.parents, rng: inout Xoshiro256)
    throws
  {
    try TrainingError.converting { try config.validate() }
    self.config = config
    boneCount = max(0, parents.count - 1)
    var stages: [DisturbanceCorrectionModule<Scalar>] = []
    for i in 0..<config.stages {
      stages.append(
        try DisturbanceCorrectionModule(
          name: "\(name).dcm\(i)", config: config.module, parents: parents, rng: &rng))
    }
    self.stages = stages
  }

  public var parameters: [Parameter<Scalar>] { stages.flatMap { $0.parameters } }

  /// Runs the cascade (identity for K = 0).
  @_specialize(where Scalar == Float)
  public func forward(
    _ pose: Matrix<Scalar>, lengths: Matrix<Scalar>, context: inout ForwardContext
  ) -> Matrix<Scalar> {
    var x = pose
    for stage in stages { x = stage.forward(x, lengths: lengths, context: &context) }
    return x
  }

  /// Back-propagates through the cascade; returns ∂L/∂pose and ∂L/∂lengths (summed over stages).
  @_specialize(where Scalar == Float)
  public func backward(_ outputGradient: Matrix<Scalar>) -> (pose: Matrix<Scalar>, lengths: Matrix<Scalar>) {
    var g = outputGradient
    var dLengths: Matrix<Scalar>? = nil
    for stage in stages.reversed() {
      let (dx, dl) = stage.backward(g)
      g = dx
      if dLengths == nil { dLengths = dl } else { dLengths?.add(dl) }
    }
    return (g, dLengths ?? Matrix(rows: outputGradient.rows, columns: boneCount))
  }
}
