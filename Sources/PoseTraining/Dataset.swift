// PoseTraining: datasets from paths — file and folder resolution, rig detection for BVH files, loading
// of BVH / JSON / CSV pose sequences.

import Foundation
import PoseCore
import PoseFormats
import PoseLifting

/// Turns command-line data paths into H36M-17 pose sequences.
public enum PoseDataset {
  /// File extensions read (lower case).
  public static let extensions: Set<String> = ["bvh", "json", "csv"]

  /// Expands `paths` into data files: a file is kept if its extension is `.bvh`, `.json` or `.csv`; a
  /// folder contributes its data files (not recursive, sorted by name). Duplicates are dropped, order kept.
  ///
  /// - Throws: `TrainingError.io` for a missing path or a folder without data files,
  ///   `.badDataset` for a file of another type.
  public static func resolve(_ paths: [String]) throws -> [String] {
    var out: [String] = []
    var seen: Set<String> = []
    let fm = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw TrainingError.io(path: path, reason: "no such file or folder")
      }
      var files: [String] = []
      if isDirectory.boolValue {
        let names: [String]
        do {
          names = try fm.contentsOfDirectory(atPath: path)
        } catch {
          throw TrainingError.io(path: path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        files = names.sorted().filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
          .map { (path as NSString).appendingPathComponent($0) }
        guard !files.isEmpty else {
          throw TrainingError.io(path: path, reason: "the folder has no .bvh, .json or .csv files")
        }
      } else {
        guard extensions.contains((path as NSString).pathExtension.lowercased()) else {
          throw TrainingError.badDataset(
            path: path, reason: "unknown file type (expected .bvh, .json or .csv, or a folder of them)")
        }
        files = [path]
      }
      for f in files where seen.insert(f).inserted { out.append(f) }
    }
    return out
  }

  /// The built-in joint map whose joints all exist in `bvh` (`cmu-iclone` is tried first, then
  /// `cmu-131`).
  ///
  /// - Throws: `TrainingError.badJointMap` naming the file when no built-in map fits.
  public static func detectRig(_ bvh: BVH) throws -> JointMap {
    for map in [JointMap.cmuIClone, JointMap.cmu131] where (try? map.resolve(in: bvh)) != nil {
      return map
    }
    throw TrainingError.badJointMap(
      path: bvh.path,
      reason: "no built-in rig (cmu-iclone, cmu-131) fits this skeleton; pass a JSON joint map with --rig")
  }

  /// A joint map from a command-line value: `cmu-iclone`, `cmu-131` or a JSON file.
  public static func jointMap(named value: String) throws -> JointMap {
    if let map = JointMap.builtIn[value] { return map }
    return try JointMap.load(path: value)
  }

  /// Loads every resolved file: BVH files through `rig` (or the detected built-in rig), JSON/CSV through
  /// `PoseSequence.load` (CSV in metres). Empty sequences are skipped.
  ///
  /// - Throws: the errors of `resolve`, `BVH.read`, `JointMap` and `PoseSequence.load`, and
  ///   `TrainingError.badDataset` when no frames are found at all.
  public static func load(_ paths: [String], rig: JointMap? = nil) throws -> [PoseSequence] {
    var sequences: [PoseSequence] = []
    for file in try resolve(paths) {
      if (file as NSString).pathExtension.lowercased() == "bvh" {
        let bvh = try BVH.read(path: file)
        let map = try rig ?? detectRig(bvh)
        let poses = try map.poses(from: bvh)
        if !poses.isEmpty {
          sequences.append(PoseSequence(name: file, frameTime: bvh.frameTime, poses: poses))
        }
      } else {
        let s = try PoseSequence.load(path: file)
        if !s.poses.isEmpty { sequences.append(s) }
      }
    }
    guard sequences.contains(where: { !$0.poses.isEmpty }) else {
      throw TrainingError.badDataset(path: paths.joined(separator: ", "), reason: "no frames found")
    }
    return sequences
  }
}

/// A fixed validation set: one bone-scaling draw per sequence (so true lengths are constant within a
/// sequence), one random virtual camera per frame, all from a fixed seed.
public struct EvaluationSet: Sendable {
  /// Normalised 2D inputs, N × 34.
  public var inputs: Matrix<Float>
  /// Root-relative camera-frame targets (mm), N poses of 17 joints.
  public var targets: [[Vec3]]
  /// True bone lengths (mm), N × 16.
  public var lengths: [[Double]]
  /// Sequence index of each sample.
  public var sequence: [Int]
  /// Time of each sample in its sequence, seconds (frame index × the sequence's frame time, 1/30 s when
  /// it has none).
  public var times: [Double] = []

  /// Number of samples.
  public var count: Int { targets.count }

  /// Builds the set from every `stride`-th frame of `sequences`.
  ///
  /// With `cameraPerSequence`, one random camera looks at each sequence's mean pelvis for all its frames
  /// (a static video camera, so temporal filters can be evaluated); otherwise every frame draws its own.
  public static func make(
    _ sequences: [PoseSequence], generator: SampleGenerator, seed: UInt64 = 7, stride: Int = 1,
    cameraPerSequence: Bool = false
  ) throws -> EvaluationSet {
    guard stride > 0 else { throw TrainingError.invalidConfiguration("evaluation stride must be positive") }
    var inputs: [Float] = []
    var targets: [[Vec3]] = []
    var lengths: [[Double]] = []
    var ids: [Int] = []
    var times: [Double] = []
    var rng = Xoshiro256(seed: seed)
    for (k, seq) in sequences.enumerated() {
      let factors = generator.boneFactors(&rng)
      var camera: (rotation: Mat3, centre: Vec3, focal: Double)? = nil
      if cameraPerSequence, !seq.poses.isEmpty {
        let pelvis = seq.poses.reduce(Vec3.zero) { $0 + ($1.first ?? .zero) } / Double(seq.poses.count)
        camera = generator.randomCamera(looking: pelvis, &rng)
      }
      for (i, pose) in seq.poses.enumerated() where i % stride == 0 {
        guard pose.count == H36M17.count, pose.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
        else {
          throw TrainingError.badDataset(path: seq.name, reason: "frame \(i) is not 17 finite joints")
        }
        let s = generator.sample(pose, factors: factors, camera: camera, &rng)
        inputs += s.input.map { Float($0) }
        targets.append(
          (0..<H36M17.count).map { Vec3(s.target[3 * $0], s.target[3 * $0 + 1], s.target[3 * $0 + 2]) })
        lengths.append(s.lengths)
        ids.append(k)
        times.append(Double(i) * (seq.frameTime ?? 1.0 / 30))
      }
    }
    return EvaluationSet(
      inputs: Matrix(rows: targets.count, columns: KeypointNormalization.inputCount, values: inputs),
      targets: targets, lengths: lengths, sequence: ids, times: times)
  }

  /// Metrics of a lifter given as a function from normalised inputs to poses in mm (N × 51), run in
  /// chunks of `chunk` rows.
  public func evaluate(chunk: Int = 4096, _ lifter: (Matrix<Float>) -> Matrix<Float>) throws -> LifterMetrics
  {
    try metrics(of: predictions(chunk: chunk, lifter))
  }

  /// The lifter's poses (mm, 17 joints each) for every sample, run in chunks of `chunk` rows.
  public func predictions(chunk: Int = 4096, _ lifter: (Matrix<Float>) -> Matrix<Float>) throws -> [[Vec3]] {
    var predictions: [[Vec3]] = []
    predictions.reserveCapacity(count)
    var start = 0
    while start < count {
      let n = min(chunk, count - start)
      let slice = Array(inputs.values[(start * inputs.columns)..<((start + n) * inputs.columns)])
      let out = lifter(Matrix(rows: n, columns: inputs.columns, values: slice))
      guard out.rows == n, out.columns == 3 * H36M17.count else {
        throw TrainingError.shapeMismatch(
          what: "lifter output", expected: "\(n) × 51", actual: "\(out.rows) × \(out.columns)")
      }
      for r in 0..<n { predictions.append(AITETrainer.joints(out, row: r)) }
      start += n
    }
    return predictions
  }

  /// Metrics of given poses (one per sample, mm) against this set's targets.
  public func metrics(of predictions: [[Vec3]]) throws -> LifterMetrics {
    try LifterMetrics.compute(
      predictions: predictions, targets: targets, trueLengths: lengths, sequence: sequence)
  }
}

/// Accuracy of a lifter on a set of poses (all in mm).
public struct LifterMetrics: Sendable, Equatable {
  /// Number of poses.
  public var count: Int
  /// Number of sequences.
  public var sequences: Int
  /// Mean per-joint position error (root-relative poses).
  public var mpjpe: Double
  /// MPJPE after per-pose Procrustes alignment (rotation, translation, scale); a collapsed prediction
  /// (all joints at one point) scores the targets' mean distance from their centroid.
  public var paMPJPE: Double
  /// Mean over poses and bones of |predicted − true bone length|.
  public var boneLengthError: Double
  /// Mean over sequences and bones of the standard deviation of a predicted bone's length within the
  /// sequence (population std; sequences of one pose count as 0).
  public var boneLengthStd: Double
  /// Mean |length error| per bone (`H36M17.bones` order).
  public var perBoneError: [Double]
  /// Mean within-sequence length std per bone.
  public var perBoneStd: [Double]
  /// Mean position error per joint (`H36M17.names` order).
  public var perJointError: [Double]

  /// Computes the metrics; `sequence[i]` groups poses for the bone-length std.
  ///
  /// - Throws: `TrainingError.shapeMismatch` when the arrays disagree in length or a pose is not 17
  ///   joints, `.badDataset` when there are no poses.
  public static func compute(
    predictions: [[Vec3]], targets: [[Vec3]], trueLengths: [[Double]], sequence: [Int]
  ) throws -> LifterMetrics {
    let n = predictions.count
    guard n > 0 else { throw TrainingError.badDataset(path: "(evaluation)", reason: "no poses to evaluate") }
    guard targets.count == n, trueLengths.count == n, sequence.count == n else {
      throw TrainingError.shapeMismatch(
        what: "evaluation arrays", expected: "\(n) each",
        actual: "\(targets.count) targets, \(trueLengths.count) lengths, \(sequence.count) ids")
    }
    let b = H36M17.bones.count
    var mpjpe = 0.0
    var pa = 0.0
    var perBone = [Double](repeating: 0, count: b)
    var perJoint = [Double](repeating: 0, count: H36M17.count)
    var groups: [Int: [[Double]]] = [:]
    for i in 0..<n {
      let p = predictions[i]
      let y = targets[i]
      guard p.count == H36M17.count, y.count == H36M17.count, trueLengths[i].count == b else {
        throw TrainingError.shapeMismatch(
          what: "evaluation pose \(i)", expected: "17 joints and 16 lengths",
          actual: "\(p.count), \(y.count) joints, \(trueLengths[i].count) lengths")
      }
      mpjpe += try PoseMetrics.mpjpe(p, y)
      if let v = try? PoseMetrics.paMPJPE(p, y) {
        pa += v
      } else {
        // All predicted joints coincide: the best similarity maps them to the target's centroid.
        let centroid = y.reduce(Vec3.zero, +) / Double(y.count)
        pa += y.reduce(0) { $0 + $1.distance(to: centroid) } / Double(y.count)
      }
      for j in 0..<H36M17.count { perJoint[j] += p[j].distance(to: y[j]) }
      let lengths = try PoseMetrics.boneLengths(p, skeleton: .h36m17)
      for k in 0..<b { perBone[k] += abs(lengths[k] - trueLengths[i][k]) }
      groups[sequence[i], default: []].append(lengths)
    }
    let d = Double(n)
    var perBoneStd = [Double](repeating: 0, count: b)
    for frames in groups.values {
      for k in 0..<b {
        let values = frames.map { $0[k] }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        perBoneStd[k] += variance.squareRoot() / Double(groups.count)
      }
    }
    perBone = perBone.map { $0 / d }
    return LifterMetrics(
      count: n, sequences: groups.count, mpjpe: mpjpe / d, paMPJPE: pa / d,
      boneLengthError: perBone.reduce(0, +) / Double(b), boneLengthStd: perBoneStd.reduce(0, +) / Double(b),
      perBoneError: perBone, perBoneStd: perBoneStd, perJointError: perJoint.map { $0 / d })
  }
}

extension EvaluationSet {
  /// The sets concatenated (sequence indices renumbered so they stay distinct).
  public static func merged(_ sets: [EvaluationSet]) -> EvaluationSet {
    var values: [Float] = []
    var targets: [[Vec3]] = []
    var lengths: [[Double]] = []
    var ids: [Int] = []
    var times: [Double] = []
    var offset = 0
    for s in sets {
      values += s.inputs.values
      targets += s.targets
      lengths += s.lengths
      times += s.times
      ids += s.sequence.map { $0 + offset }
      offset += (s.sequence.max() ?? -1) + 1
    }
    return EvaluationSet(
      inputs: Matrix(rows: targets.count, columns: KeypointNormalization.inputCount, values: values),
      targets: targets, lengths: lengths, sequence: ids, times: times)
  }
}

extension PoseDataset {
  /// Groups resolved data files by their folder (e.g. one group per rig folder), keeping first-seen order.
  public static func groupByFolder(_ files: [String]) -> [(folder: String, files: [String])] {
    var order: [String] = []
    var groups: [String: [String]] = [:]
    for f in files {
      let folder = (f as NSString).deletingLastPathComponent
      if groups[folder] == nil { order.append(folder) }
      groups[folder, default: []].append(f)
    }
    return order.map { ($0, groups[$0] ?? []) }
  }
}
