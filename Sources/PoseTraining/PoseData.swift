// PoseTraining: training samples from 3D poses — bone-length augmentation along the kinematic tree,
// random virtual cameras, 2D noise and mini-batches (the 2D input normalisation is PoseLifting's).

import Foundation
import PoseCore
import PoseLifting

/// Ranges of the random virtual cameras that turn a 3D pose into a 2D input.
///
/// The camera looks at the pelvis from azimuth U[0°, 360°) about the vertical (+Y) axis, elevation
/// U[`minElevation`, `maxElevation`] degrees above the pelvis' horizontal plane, distance U[`minDistance`,
/// `maxDistance`] metres and focal length U[`minFocal`, `maxFocal`] pixels. Camera axes follow OpenCV:
/// x right, y down, z forward; the principal point is (0, 0) (it cancels in the root-relative input).
public struct VirtualCameraConfig: Codable, Sendable, Equatable {
  /// Lowest elevation (degrees; negative looks up at the person).
  public var minElevation: Double = -10
  /// Highest elevation (degrees).
  public var maxElevation: Double = 40
  /// Nearest camera distance from the pelvis (m).
  public var minDistance: Double = 2.5
  /// Farthest camera distance (m).
  public var maxDistance: Double = 7
  /// Shortest focal length (px).
  public var minFocal: Double = 800
  /// Longest focal length (px).
  public var maxFocal: Double = 1600

  /// Creates a configuration.
  public init(
    minElevation: Double = -10, maxElevation: Double = 40, minDistance: Double = 2.5, maxDistance: Double = 7,
    minFocal: Double = 800, maxFocal: Double = 1600
  ) {
    self.minElevation = minElevation
    self.maxElevation = maxElevation
    self.minDistance = minDistance
    self.maxDistance = maxDistance
    self.minFocal = minFocal
    self.maxFocal = maxFocal
  }

  /// Checks the ranges (elevation within ±80°, distance ≥ 1.5 m so the body stays in front of the camera).
  public func validate() throws {
    guard minElevation <= maxElevation, minElevation >= -80, maxElevation <= 80, minDistance >= 1.5,
      minDistance <= maxDistance, maxDistance.isFinite, minFocal > 0, minFocal <= maxFocal, maxFocal.isFinite
    else { throw TrainingError.invalidConfiguration("virtual camera ranges out of bounds: \(self)") }
  }
}

/// Per-sample augmentation.
public struct AugmentationConfig: Codable, Sendable, Equatable {
  /// Each bone's length is scaled by U[1 − r, 1 + r] (r = 0.15: ±15 %), then the pose is rebuilt from the
  /// pelvis along the tree with the original bone directions.
  public var boneScaleRange: Double = 0.15
  /// Left and right bones of a pair share one factor.
  public var symmetricBoneScaling: Bool = true
  /// Standard deviation of Gaussian noise added to every 2D coordinate (pixels).
  public var keypointNoise: Double = 0
  /// Which joint definitions the 2D input follows (the 3D targets always keep the dataset's joints).
  public var inputJoints: InputJointDefinition = .dataset
  /// Detector-like noise: standard deviation of Gaussian noise on every 2D coordinate as a fraction of the
  /// 2D pose scale s of `KeypointNormalization` (RMS distance of the 17 points from the pelvis; s ≈ 0.3 ×
  /// body height in pixels, so 0.02 is ≈ 0.6 % of the height).
  public var relativeKeypointNoise: Double = 0
  /// Probability that a joint (other than the pelvis) is an outlier, as a detector's occasional miss.
  public var outlierProbability: Double = 0
  /// Standard deviation of an outlier's extra displacement, as a fraction of s.
  public var outlierScale: Double = 0.2

  /// Creates a configuration.
  public init(
    boneScaleRange: Double = 0.15, symmetricBoneScaling: Bool = true, keypointNoise: Double = 0,
    inputJoints: InputJointDefinition = .dataset, relativeKeypointNoise: Double = 0,
    outlierProbability: Double = 0, outlierScale: Double = 0.2
  ) {
    self.boneScaleRange = boneScaleRange
    self.symmetricBoneScaling = symmetricBoneScaling
    self.keypointNoise = keypointNoise
    self.inputJoints = inputJoints
    self.relativeKeypointNoise = relativeKeypointNoise
    self.outlierProbability = outlierProbability
    self.outlierScale = outlierScale
  }

  /// Reads a configuration; missing keys take their defaults.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = AugmentationConfig()
    boneScaleRange = try c.decodeIfPresent(Double.self, forKey: .boneScaleRange) ?? d.boneScaleRange
    symmetricBoneScaling =
      try c.decodeIfPresent(Bool.self, forKey: .symmetricBoneScaling) ?? d.symmetricBoneScaling
    keypointNoise = try c.decodeIfPresent(Double.self, forKey: .keypointNoise) ?? d.keypointNoise
    inputJoints = try c.decodeIfPresent(InputJointDefinition.self, forKey: .inputJoints) ?? d.inputJoints
    relativeKeypointNoise =
      try c.decodeIfPresent(Double.self, forKey: .relativeKeypointNoise) ?? d.relativeKeypointNoise
    outlierProbability =
      try c.decodeIfPresent(Double.self, forKey: .outlierProbability) ?? d.outlierProbability
    outlierScale = try c.decodeIfPresent(Double.self, forKey: .outlierScale) ?? d.outlierScale
  }

  /// Checks the ranges.
  public func validate() throws {
    var ok = boneScaleRange >= 0 && boneScaleRange < 0.9 && keypointNoise >= 0 && keypointNoise.isFinite
    ok = ok && relativeKeypointNoise >= 0 && relativeKeypointNoise <= 1
    ok = ok && outlierProbability >= 0 && outlierProbability <= 1 && outlierScale >= 0 && outlierScale <= 10
    guard ok else {
      throw TrainingError.invalidConfiguration("augmentation out of range: \(self)")
    }
  }

  /// Whether any 2D noise is added.
  public var hasNoise: Bool {
    keypointNoise > 0 || relativeKeypointNoise > 0 || (outlierProbability > 0 && outlierScale > 0)
  }

  /// The same configuration without 2D noise.
  public var withoutNoise: AugmentationConfig {
    var c = self
    c.keypointNoise = 0
    c.relativeKeypointNoise = 0
    c.outlierProbability = 0
    return c
  }
}

/// A batch of training or validation samples.
public struct PoseBatch: Sendable {
  /// Normalised 2D inputs, B × 34 (`KeypointNormalization`).
  public var inputs: Matrix<Float>
  /// Root-relative 3D joints in camera coordinates (mm), B × 51 (x, y, z per joint; x right, y down,
  /// z forward).
  public var targets: Matrix<Float>
  /// Ground-truth bone lengths (mm) of the (augmented) pose, B × 16 in `H36M17.bones` order.
  public var boneLengths: Matrix<Float>

  /// Number of samples.
  public var count: Int { inputs.rows }
}

/// Turns 3D poses into lifter samples.
public struct SampleGenerator: Sendable {
  /// Camera ranges.
  public let camera: VirtualCameraConfig
  /// Augmentation.
  public let augmentation: AugmentationConfig

  /// Creates a generator after validating the configurations.
  public init(camera: VirtualCameraConfig, augmentation: AugmentationConfig) throws {
    try camera.validate()
    try augmentation.validate()
    self.camera = camera
    self.augmentation = augmentation
  }

  /// The pose with every bone scaled by `factors[k]` (bone k ends at joint k + 1) and rebuilt from the
  /// pelvis along the tree, bone directions kept.
  public static func scaleBones(_ pose: [Vec3], factors: [Double]) -> [Vec3] {
    precondition(pose.count == H36M17.count && factors.count == H36M17.count - 1)
    var out = pose
    for j in 1..<H36M17.count {
      let p = H36M17.parents[j] ?? 0
      out[j] = out[p] + factors[j - 1] * (pose[j] - pose[p])
    }
    return out
  }

  /// Random bone factors in [1 − r, 1 + r], shared within left/right pairs when symmetric.
  public func boneFactors(_ rng: inout Xoshiro256) -> [Double] {
    let r = augmentation.boneScaleRange
    var f = (0..<(H36M17.count - 1)).map { _ in rng.uniform(1 - r, 1 + r) }
    if augmentation.symmetricBoneScaling {
      for pair in H36M17.bonePairs { f[pair.right] = f[pair.left] }
    }
    return f
  }

  /// World-to-camera rotation (rows: right, down, forward) and camera centre for a random camera looking
  /// at `target`.
  public func randomCamera(looking target: Vec3, _ rng: inout Xoshiro256) -> (
    rotation: Mat3, centre: Vec3, focal: Double
  ) {
    let azimuth = rng.uniform(0, 2 * .pi)
    let elevation = rng.uniform(camera.minElevation, camera.maxElevation) * .pi / 180
    let distance = rng.uniform(camera.minDistance, camera.maxDistance)
    let focal = rng.uniform(camera.minFocal, camera.maxFocal)
    let centre =
      target + distance * Vec3(cos(elevation) * sin(azimuth), sin(elevation), cos(elevation) * cos(azimuth))
    let forward = (target - centre) / distance
    let right = forward.cross(Vec3(0, 1, 0)).normalized ?? Vec3(1, 0, 0)
    let down = forward.cross(right)
    return (Mat3(rows: right, down, forward), centre, focal)
  }

  /// One sample from a world pose (metres, Y up): normalised 2D input, camera-frame root-relative target
  /// (mm) and bone lengths (mm).
  public func sample(_ worldPose: [Vec3], _ rng: inout Xoshiro256) -> (
    input: [Double], target: [Double], lengths: [Double]
  ) {
    sample(worldPose, factors: boneFactors(&rng), &rng)
  }

  /// One sample with given bone factors (`boneFactors`); a random camera (or `camera`, e.g. one per
  /// sequence) and the configured noise.
  public func sample(
    _ worldPose: [Vec3], factors: [Double],
    camera fixed: (rotation: Mat3, centre: Vec3, focal: Double)? = nil,
    _ rng: inout Xoshiro256
  ) -> (input: [Double], target: [Double], lengths: [Double]) {
    let pose = Self.scaleBones(worldPose, factors: factors)
    let cam = fixed ?? randomCamera(looking: pose[0], &rng)
    var image: [Vec2] = []
    var target: [Double] = []
    let rootCam = cam.rotation * (pose[0] - cam.centre)
    func project(_ p: Vec3) -> Vec2 {
      let c = cam.rotation * (p - cam.centre)
      let z = max(c.z, 0.1)
      return Vec2(cam.focal * c.x / z, cam.focal * c.y / z)
    }
    for p in pose {
      let c = cam.rotation * (p - cam.centre)
      let rel = 1000 * (c - rootCam)
      target += [rel.x, rel.y, rel.z]
    }
    switch augmentation.inputJoints {
    case .dataset: image = pose.map(project)
    case .blazePose: image = BlazePoseInput.imagePoints(pose, project: project)
    }
    addNoise(&image, &rng)
    let lengths = H36M17.bones.map { 1000 * pose[$0.child].distance(to: pose[$0.parent]) }
    return (KeypointNormalization.normalize(image), target, lengths)
  }

  /// Adds the configured 2D noise to 17 image points: pixel noise, scale-relative noise and outliers.
  public func addNoise(_ image: inout [Vec2], _ rng: inout Xoshiro256) {
    let a = augmentation
    guard a.hasNoise, image.count == H36M17.count else { return }
    var s = 1.0
    if a.relativeKeypointNoise > 0 || a.outlierProbability > 0 {
      let root = image[0]
      s = (image.reduce(0) { $0 + ($1 - root).squaredNorm } / Double(image.count)).squareRoot()
      if !(s > 0 && s.isFinite) { s = 1 }
    }
    let sigma = (a.keypointNoise * a.keypointNoise + pow(a.relativeKeypointNoise * s, 2)).squareRoot()
    for j in image.indices {
      if sigma > 0 { image[j] += sigma * Vec2(rng.normal(), rng.normal()) }
      if j > 0, a.outlierProbability > 0, rng.uniform() < a.outlierProbability {
        image[j] += (a.outlierScale * s) * Vec2(rng.normal(), rng.normal())
      }
    }
  }

  /// A batch from `poses[indices]`, one random augmentation and camera per sample.
  ///
  /// - Throws: `TrainingError.badDataset` when an index is out of range or a pose does not have 17 finite
  ///   joints.
  public func batch(_ poses: [[Vec3]], indices: [Int], _ rng: inout Xoshiro256) throws -> PoseBatch {
    var inputs: [Float] = []
    var targets: [Float] = []
    var lengths: [Float] = []
    inputs.reserveCapacity(indices.count * 34)
    targets.reserveCapacity(indices.count * 51)
    lengths.reserveCapacity(indices.count * 16)
    for i in indices {
      guard poses.indices.contains(i) else {
        throw TrainingError.badDataset(
          path: "(poses)", reason: "sample \(i) is out of range 0..<\(poses.count)")
      }
      let pose = poses[i]
      guard pose.count == H36M17.count, pose.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
      else {
        throw TrainingError.badDataset(
          path: "(poses)", reason: "pose \(i) must have 17 finite H36M joints (has \(pose.count))")
      }
      let s = sample(pose, &rng)
      inputs += s.input.map { Float($0) }
      targets += s.target.map { Float($0) }
      lengths += s.lengths.map { Float($0) }
    }
    let n = indices.count
    return PoseBatch(
      inputs: Matrix(rows: n, columns: 34, values: inputs),
      targets: Matrix(rows: n, columns: 51, values: targets),
      boneLengths: Matrix(rows: n, columns: 16, values: lengths))
  }
}

extension VirtualCameraConfig {
  /// Reads a configuration; missing keys take their defaults.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    minElevation = try c.decodeIfPresent(Double.self, forKey: .minElevation) ?? minElevation
    maxElevation = try c.decodeIfPresent(Double.self, forKey: .maxElevation) ?? maxElevation
    minDistance = try c.decodeIfPresent(Double.self, forKey: .minDistance) ?? minDistance
    maxDistance = try c.decodeIfPresent(Double.self, forKey: .maxDistance) ?? maxDistance
    minFocal = try c.decodeIfPresent(Double.self, forKey: .minFocal) ?? minFocal
    maxFocal = try c.decodeIfPresent(Double.self, forKey: .maxFocal) ?? maxFocal
  }
}
