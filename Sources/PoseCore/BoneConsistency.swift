// PoseCore: one body, one set of bones — a subject's bone lengths estimated robustly from a sequence (or
// read from a file, or from a height), the projection of a pose onto those lengths along the kinematic
// tree, and temporal smoothing of bone directions that cannot bring length drift back.

import Foundation

/// Holds every frame of a pose sequence to one set of bone lengths by keeping each bone's direction.
///
/// For every bone in tree order (parents before children): `child' = parent' + L · (child − parent) / |child −
/// parent|`, with the root kept where it is. The output's bone lengths equal `L` exactly (up to rounding)
/// and each bone points where the input's bone pointed. A zero-length input bone takes its direction from
/// `fallback` (e.g. the previous frame's output) or, without one, points along +y (down in camera and
/// BlazePose coordinates).
public enum BoneLengthProjection {
  /// The pose `joints` of `skeleton` with bone `k` of length `lengths[k]` and the input's bone directions.
  ///
  /// - Throws: `PoseCoreError.countMismatch` for wrong counts, `.degenerate` for a skeleton that is not a
  ///   tree with parents listed before their children, or for non-finite or negative lengths.
  public static func project(
    _ joints: [Vec3], lengths: [Double], skeleton: Skeleton = H36M17.skeleton, fallback: [Vec3]? = nil
  ) throws -> [Vec3] {
    try check(joints.count, lengths, skeleton)
    var out = joints
    for (k, bone) in skeleton.bones.enumerated() {
      let d = joints[bone.child] - joints[bone.parent]
      var u = d.normalized
      if u == nil, let fallback, fallback.count == joints.count {
        u = (fallback[bone.child] - fallback[bone.parent]).normalized
      }
      out[bone.child] = out[bone.parent] + lengths[k] * (u ?? Vec3(0, 1, 0))
    }
    return out
  }

  /// Unit direction of every bone (`skeleton.bones` order); nil for a zero-length bone.
  public static func directions(_ joints: [Vec3], skeleton: Skeleton = H36M17.skeleton) -> [Vec3?] {
    skeleton.bones.map { bone -> Vec3? in
      guard bone.child < joints.count, bone.parent < joints.count else { return nil }
      return (joints[bone.child] - joints[bone.parent]).normalized
    }
  }

  /// The pose built from a root position, bone directions and lengths (the inverse of `directions`).
  ///
  /// - Throws: as `project`; a nil direction points along +y.
  public static func build(
    root: Vec3, directions: [Vec3?], lengths: [Double], skeleton: Skeleton = H36M17.skeleton
  ) throws -> [Vec3] {
    try check(skeleton.jointCount, lengths, skeleton)
    guard directions.count == skeleton.bones.count else {
      throw PoseCoreError.countMismatch(
        what: "bone directions", expected: skeleton.bones.count, actual: directions.count)
    }
    var out = [Vec3](repeating: root, count: skeleton.jointCount)
    for (k, bone) in skeleton.bones.enumerated() {
      out[bone.child] = out[bone.parent] + lengths[k] * (directions[k]?.normalized ?? Vec3(0, 1, 0))
    }
    return out
  }

  static func check(_ jointCount: Int, _ lengths: [Double], _ skeleton: Skeleton) throws {
    guard jointCount == skeleton.jointCount else {
      throw PoseCoreError.countMismatch(
        what: "\(skeleton.name) joints", expected: skeleton.jointCount, actual: jointCount)
    }
    guard lengths.count == skeleton.bones.count else {
      throw PoseCoreError.countMismatch(
        what: "\(skeleton.name) bone lengths", expected: skeleton.bones.count, actual: lengths.count)
    }
    guard lengths.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
      throw PoseCoreError.degenerate(what: "bone lengths must be finite and ≥ 0")
    }
    // Tree order: every bone's parent joint is a root or the child of an earlier bone.
    guard let parents = skeleton.parents else {
      throw PoseCoreError.degenerate(what: "\(skeleton.name) is not a tree (it has no parent list)")
    }
    var placed = Set(parents.indices.filter { parents[$0] == nil })
    for bone in skeleton.bones {
      guard placed.contains(bone.parent), !placed.contains(bone.child) else {
        throw PoseCoreError.degenerate(
          what: "\(skeleton.name) is not a tree with parents before children (bone \(bone.name))")
      }
      placed.insert(bone.child)
    }
  }
}

/// A subject's bone lengths, one per bone of a skeleton, and where they came from.
public struct SubjectBoneLengths: Sendable, Equatable {
  /// Lengths in `skeleton.bones` order, in the unit of the poses they came from or will be applied to.
  public var lengths: [Double]
  /// How they were obtained (shown in the viewer's bone table and written to JSON).
  public var source: String

  /// Creates a set of lengths.
  public init(lengths: [Double], source: String) {
    self.lengths = lengths
    self.source = source
  }

  /// Options of `estimate`.
  public struct EstimationOptions: Sendable, Equatable {
    /// Samples further than this many robust standard deviations (1.4826 · MAD) from the median are
    /// dropped before averaging.
    public var outlierThreshold: Double = 2.5
    /// Pool each left/right pair's samples so both sides get one length.
    public var tieLeftRight: Bool = true
    /// Samples whose weight is below this are ignored.
    public var minimumWeight: Double = 0.05

    /// Creates options.
    public init(outlierThreshold: Double = 2.5, tieLeftRight: Bool = true, minimumWeight: Double = 0.05) {
      self.outlierThreshold = outlierThreshold
      self.tieLeftRight = tieLeftRight
      self.minimumWeight = minimumWeight
    }
  }

  /// Robust per-bone lengths of a sequence: weighted median, outliers beyond `outlierThreshold` robust
  /// standard deviations dropped, then the weighted mean of the rest.
  ///
  /// - Parameters:
  ///   - frames: poses (nil or wrong-sized entries are skipped: frames without a person).
  ///   - jointWeights: optional per-frame, per-joint confidences (e.g. visibility); a bone sample's weight
  ///     is the smaller of its two joints' weights. Without them every sample weighs 1.
  /// - Throws: `PoseCoreError.empty` when some bone has no usable sample.
  public static func estimate(
    frames: [[Vec3]?], jointWeights: [[Double]?]? = nil, skeleton: Skeleton = H36M17.skeleton,
    options: EstimationOptions = EstimationOptions()
  ) throws -> SubjectBoneLengths {
    let bones = skeleton.bones
    var samples = [[(value: Double, weight: Double)]](repeating: [], count: bones.count)
    for (f, pose) in frames.enumerated() {
      guard let pose, pose.count == skeleton.jointCount else { continue }
      let w = jointWeights.flatMap { f < $0.count ? $0[f] : nil }
      for (k, bone) in bones.enumerated() {
        let length = pose[bone.child].distance(to: pose[bone.parent])
        var weight = 1.0
        if let w, w.count == skeleton.jointCount { weight = min(w[bone.child], w[bone.parent]) }
        guard length.isFinite, length > 0, weight.isFinite, weight >= options.minimumWeight else { continue }
        samples[k].append((length, weight))
      }
    }
    if options.tieLeftRight {
      for pair in skeleton.bonePairs {
        let pooled = samples[pair.left] + samples[pair.right]
        samples[pair.left] = pooled
        samples[pair.right] = pooled
      }
    }
    var lengths: [Double] = []
    for (k, s) in samples.enumerated() {
      guard !s.isEmpty else {
        throw PoseCoreError.empty(what: "usable samples of bone \(bones[k].name)")
      }
      let median = weightedMedian(s)
      let mad = weightedMedian(s.map { (abs($0.value - median), $0.weight) })
      let sigma = max(1.4826 * mad, 1e-9 * max(median, 1))
      let kept = s.filter { abs($0.value - median) <= options.outlierThreshold * sigma }
      let total = kept.reduce(0) { $0 + $1.weight }
      lengths.append(total > 0 ? kept.reduce(0) { $0 + $1.value * $1.weight } / total : median)
    }
    let n = frames.filter { $0?.count == skeleton.jointCount }.count
    return SubjectBoneLengths(lengths: lengths, source: "estimated from \(n) frames")
  }

  /// Lengths from a body height with `Anthropometry`'s proportions (H36M-17 only), in `height`'s unit.
  public static func fromHeight(_ height: Double) throws -> SubjectBoneLengths {
    guard height.isFinite, height > 0.3, height < 3.0 else {
      throw BoneLengthFileError(path: "--height", reason: "height \(height) m is outside 0.3–3.0 m")
    }
    return SubjectBoneLengths(
      lengths: Anthropometry.referenceBoneLengths(height: height),
      source: String(format: "anthropometric, %.2f m", height))
  }

  static func weightedMedian(_ samples: [(value: Double, weight: Double)]) -> Double {
    let sorted = samples.sorted { $0.value < $1.value }
    let total = sorted.reduce(0) { $0 + $1.weight }
    var acc = 0.0
    for s in sorted {
      acc += s.weight
      if acc >= total / 2 { return s.value }
    }
    return sorted.last?.value ?? .nan
  }
}

/// A bone-length file that cannot be used: the path and the reason.
public struct BoneLengthFileError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file (or option) that was read.
  public let path: String
  /// What is wrong with it.
  public let reason: String

  /// Creates an error.
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "bone lengths \(path): \(reason)" }
}

/// Temporal smoothing of bone directions for a sequence held to fixed bone lengths.
///
/// Each bone's unit direction is filtered with a one-euro filter (Casiez et al., CHI 2012) per component
/// and renormalised; the pose is rebuilt from the root with the subject's lengths, so smoothing can never
/// change a length. The root position itself is not filtered (the lifter's output is root-relative).
public struct BoneDirectionSmoother: Sendable {
  /// Minimum cutoff frequency in Hz (lower: smoother when still).
  public var minCutoff: Double
  /// Speed coefficient (higher: less lag when moving).
  public var beta: Double
  /// Cutoff of the derivative filter in Hz.
  public var derivativeCutoff: Double
  private var previous: [Vec3]?
  private var previousDerivative: [Vec3]?
  private var previousTime: Double?

  /// Creates a smoother. The defaults were chosen on held-out mocap seen by a static virtual camera with
  /// detector-like 2D noise (`eval --consistent-bones --camera-per-sequence`, README): of minimum cutoffs
  /// 0.2–5 Hz and β 0.5–50 (bone directions in unit vectors per second), 1 Hz and β = 20 did best; a low β
  /// (0.5) lags fast limbs and made MPJPE worse.
  public init(minCutoff: Double = 1.0, beta: Double = 20, derivativeCutoff: Double = 1.0) {
    self.minCutoff = minCutoff
    self.beta = beta
    self.derivativeCutoff = derivativeCutoff
  }

  /// Forgets the history (call on a cut or when the person is lost).
  public mutating func reset() {
    previous = nil
    previousDerivative = nil
    previousTime = nil
  }

  /// Smooths `joints` (already at the subject's lengths or not) observed at `time` seconds and returns the
  /// pose rebuilt with `lengths` and the smoothed directions.
  ///
  /// - Throws: as `BoneLengthProjection.build`.
  public mutating func smooth(
    _ joints: [Vec3], lengths: [Double], time: Double, skeleton: Skeleton = H36M17.skeleton
  ) throws -> [Vec3] {
    try BoneLengthProjection.check(joints.count, lengths, skeleton)
    let raw = BoneLengthProjection.directions(joints, skeleton: skeleton)
    let fallback = previous ?? [Vec3](repeating: Vec3(0, 1, 0), count: raw.count)
    let current = zip(raw, fallback).map { $0 ?? $1 }
    guard let prev = previous, let prevTime = previousTime, time > prevTime else {
      previous = current
      previousDerivative = [Vec3](repeating: .zero, count: current.count)
      previousTime = time
      return try BoneLengthProjection.build(
        root: joints[0], directions: current, lengths: lengths, skeleton: skeleton)
    }
    let dt = time - prevTime
    func alpha(_ cutoff: Double) -> Double {
      let tau = 1 / (2 * Double.pi * cutoff)
      return 1 / (1 + tau / dt)
    }
    var filtered: [Vec3] = []
    var derivatives: [Vec3] = []
    let aD = alpha(derivativeCutoff)
    for k in current.indices {
      let d = (current[k] - prev[k]) / dt
      let dHat = aD * d + (1 - aD) * (previousDerivative?[k] ?? .zero)
      let a = alpha(minCutoff + beta * dHat.norm)
      let x = a * current[k] + (1 - a) * prev[k]
      filtered.append(x.normalized ?? current[k])
      derivatives.append(dHat)
    }
    previous = filtered
    previousDerivative = derivatives
    previousTime = time
    return try BoneLengthProjection.build(
      root: joints[0], directions: filtered, lengths: lengths, skeleton: skeleton)
  }
}
