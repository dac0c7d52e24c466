// PoseCore: pose metrics (MPJPE, PA-MPJPE, bone lengths, bone-length error, asymmetry, sequence stats).

/// Pose-error and bone-length metrics. Lengths are in the unit of the input points.
public enum PoseMetrics {
  /// Mean per-joint position error: the mean Euclidean distance between corresponding joints.
  ///
  /// No alignment is done; use `rootAlignedMPJPE` for the usual "protocol 1" (root-relative) figure.
  public static func mpjpe(_ predicted: [Vec3], _ target: [Vec3]) throws -> Double {
    try checkSameCount(predicted, target, what: "MPJPE")
    return zip(predicted, target).reduce(0) { $0 + $1.0.distance(to: $1.1) } / Double(predicted.count)
  }

  /// MPJPE after subtracting joint `root` (pelvis by default) from both poses.
  public static func rootAlignedMPJPE(_ predicted: [Vec3], _ target: [Vec3], root: Int = 0) throws -> Double {
    try checkSameCount(predicted, target, what: "root-aligned MPJPE")
    return try mpjpe(rootRelative(predicted, root: root), rootRelative(target, root: root))
  }

  /// Procrustes-aligned MPJPE ("protocol 2"): MPJPE after the best similarity transform (rotation, scale,
  /// translation) maps `predicted` onto `target`. Never larger than `mpjpe`.
  public static func paMPJPE(_ predicted: [Vec3], _ target: [Vec3]) throws -> Double {
    try checkSameCount(predicted, target, what: "PA-MPJPE")
    let transform = try procrustes(source: predicted, target: target)
    return try mpjpe(transform.apply(predicted), target)
  }

  /// Points relative to joint `root` (root becomes the origin).
  public static func rootRelative<P: SIMD>(_ points: [P], root: Int = 0) throws -> [P]
  where P.Scalar: FloatingPoint {
    guard points.indices.contains(root) else {
      throw PoseCoreError.indexOutOfRange(what: "root joint", index: root, count: points.count)
    }
    let origin = points[root]
    return points.map { $0 - origin }
  }

  /// Length of every bone of `skeleton` (in `skeleton.bones` order) for one pose.
  public static func boneLengths<P: SIMD>(_ points: [P], skeleton: Skeleton) throws -> [Double]
  where P.Scalar: BinaryFloatingPoint {
    guard points.count == skeleton.jointCount else {
      throw PoseCoreError.countMismatch(
        what: "\(skeleton.name) joints", expected: skeleton.jointCount, actual: points.count)
    }
    return skeleton.bones.map { Double(points[$0.child].distance(to: points[$0.parent])) }
  }

  /// Left/right asymmetry of every bone pair of `skeleton`, given that skeleton's bone lengths.
  public static func asymmetry(lengths: [Double], skeleton: Skeleton) throws -> [BoneAsymmetry] {
    guard lengths.count == skeleton.bones.count else {
      throw PoseCoreError.countMismatch(
        what: "\(skeleton.name) bone lengths", expected: skeleton.bones.count, actual: lengths.count)
    }
    return skeleton.bonePairs.map {
      BoneAsymmetry(name: $0.name, left: lengths[$0.left], right: lengths[$0.right])
    }
  }

  /// Median of the finite values, nil when there are none (an even count averages the middle two).
  public static func median(_ values: [Double]) -> Double? {
    let sorted = values.filter(\.isFinite).sorted()
    guard !sorted.isEmpty else { return nil }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }

  /// Per-joint, per-coordinate median over a sequence of poses (a robust "typical pose").
  ///
  /// - Throws: `.empty` for no frames, `.countMismatch` when frames have different joint counts.
  public static func medianPose(_ frames: [[Vec3]]) throws -> [Vec3] {
    guard let first = frames.first else { throw PoseCoreError.empty(what: "pose sequence") }
    for frame in frames where frame.count != first.count {
      throw PoseCoreError.countMismatch(
        what: "pose sequence frame", expected: first.count, actual: frame.count)
    }
    return (0..<first.count).map { j in
      Vec3(
        median(frames.map { $0[j].x }) ?? .nan, median(frames.map { $0[j].y }) ?? .nan,
        median(frames.map { $0[j].z }) ?? .nan)
    }
  }

  static func checkSameCount(_ a: [Vec3], _ b: [Vec3], what: String) throws {
    guard a.count == b.count else {
      throw PoseCoreError.countMismatch(what: "\(what) target", expected: a.count, actual: b.count)
    }
    guard !a.isEmpty else { throw PoseCoreError.empty(what: "\(what) joints") }
  }
}

/// Per-bone length error against reference lengths (absolute and in percent of the reference).
public struct BoneLengthError: Sendable, Hashable {
  /// `length − reference` per bone.
  public let signed: [Double]
  /// `|length − reference|` per bone.
  public let absolute: [Double]
  /// `100 · |length − reference| / reference` per bone.
  public let percent: [Double]

  /// Mean of `absolute`.
  public var meanAbsolute: Double { absolute.reduce(0, +) / Double(max(absolute.count, 1)) }
  /// Maximum of `absolute` (0 for no bones).
  public var maxAbsolute: Double { absolute.max() ?? 0 }
  /// Mean of `percent`.
  public var meanPercent: Double { percent.reduce(0, +) / Double(max(percent.count, 1)) }
  /// Maximum of `percent` (0 for no bones).
  public var maxPercent: Double { percent.max() ?? 0 }

  /// Compares `lengths` with `reference` bone by bone.
  ///
  /// - Throws: `.countMismatch` when the arrays differ in length, `.invalidValue` when a reference length
  ///   is not positive and finite.
  public init(lengths: [Double], reference: [Double]) throws {
    guard lengths.count == reference.count else {
      throw PoseCoreError.countMismatch(
        what: "reference bone lengths", expected: lengths.count, actual: reference.count)
    }
    for (i, r) in reference.enumerated() where !(r > 0 && r.isFinite) {
      throw PoseCoreError.invalidValue(what: "reference length of bone \(i) is \(r), must be positive")
    }
    signed = zip(lengths, reference).map { $0 - $1 }
    absolute = signed.map { abs($0) }
    percent = zip(absolute, reference).map { 100 * $0 / $1 }
  }
}

/// Left/right length asymmetry of one bone pair.
public struct BoneAsymmetry: Sendable, Hashable {
  /// Pair name, e.g. `upper_leg`.
  public let name: String
  /// Left bone length.
  public let left: Double
  /// Right bone length.
  public let right: Double

  /// Creates an asymmetry record.
  public init(name: String, left: Double, right: Double) {
    self.name = name
    self.left = left
    self.right = right
  }

  /// `left − right` (positive when the left bone is longer).
  public var difference: Double { left - right }
  /// `|left − right|`.
  public var absoluteDifference: Double { abs(left - right) }
  /// `(left − right) / mean(left, right)`, 0 when both are 0.
  public var relativeDifference: Double {
    let mean = (left + right) / 2
    return mean == 0 ? 0 : difference / mean
  }
  /// `|left − right| / mean(left, right)`, 0 when both are 0.
  public var absoluteRelativeDifference: Double { abs(relativeDifference) }
}

/// Mean, standard deviation and median of each bone's length over a sequence of frames.
///
/// Non-finite lengths (e.g. NaN for frames where a bone was not seen) are skipped per bone; `count` says
/// how many values each statistic used. A bone with no values has NaN statistics.
public struct BoneLengthStatistics: Sendable, Hashable {
  /// Mean length per bone.
  public let mean: [Double]
  /// Population standard deviation per bone (divides by n, like numpy's default).
  public let standardDeviation: [Double]
  /// Median length per bone.
  public let median: [Double]
  /// Number of finite values per bone.
  public let count: [Int]

  /// Coefficient of variation (std / mean) per bone.
  public var coefficientOfVariation: [Double] {
    zip(standardDeviation, mean).map { $1 == 0 ? .nan : $0 / $1 }
  }

  /// Computes the statistics from per-frame bone lengths (`frames[f][b]`).
  ///
  /// - Throws: `.empty` for no frames, `.countMismatch` when frames have different bone counts.
  public init(frames: [[Double]]) throws {
    guard let first = frames.first else { throw PoseCoreError.empty(what: "bone length sequence") }
    for frame in frames where frame.count != first.count {
      throw PoseCoreError.countMismatch(what: "bone length frame", expected: first.count, actual: frame.count)
    }
    var mean: [Double] = []
    var std: [Double] = []
    var median: [Double] = []
    var count: [Int] = []
    for b in 0..<first.count {
      let values = frames.map { $0[b] }.filter(\.isFinite)
      count.append(values.count)
      guard !values.isEmpty else {
        mean.append(.nan)
        std.append(.nan)
        median.append(.nan)
        continue
      }
      // Shifted by the first value: exact for constant sequences and less cancellation in general.
      let shift = values[0]
      let m = shift + values.reduce(0) { $0 + ($1 - shift) } / Double(values.count)
      let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
      mean.append(m)
      std.append(variance.squareRoot())
      median.append(PoseMetrics.median(values) ?? .nan)
    }
    self.mean = mean
    self.standardDeviation = std
    self.median = median
    self.count = count
  }

  /// Computes the statistics from a sequence of poses of `skeleton`.
  public init(poses: [[Vec3]], skeleton: Skeleton) throws {
    try self.init(frames: poses.map { try PoseMetrics.boneLengths($0, skeleton: skeleton) })
  }
}
