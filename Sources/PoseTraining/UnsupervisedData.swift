// PoseTraining: 2D-only training data for unsupervised lifting — normalised 2D pose sequences from
// `posescope estimate` JSON or projected mocap, kept apart from the 3D truth used for evaluation.

import Foundation
import PoseCore
import PoseLifting

/// A sequence of normalised 2D poses with no 3D at all: what unsupervised training sees.
///
/// Each frame is 17 H36M-17 points normalised by `KeypointNormalization` (pelvis at the origin, RMS
/// distance from the pelvis 1; x right, y down), or nil where no person was found. The type has no field
/// that could hold depth or 3D joints, so code that takes `[Pose2DSequence]` cannot read 3D labels.
public struct Pose2DSequence: Sendable, Equatable {
  /// Source file and sequence label.
  public var name: String
  /// Seconds per frame, if known.
  public var frameTime: Double?
  /// Normalised 17-point poses, nil for frames without a person.
  public var frames: [[Vec2]?]

  /// Creates a sequence.
  public init(name: String, frameTime: Double? = nil, frames: [[Vec2]?]) {
    self.name = name
    self.frameTime = frameTime
    self.frames = frames
  }

  /// Normalised points from 17 image points (pixels); nil unless there are 17 finite points.
  public static func normalized(_ image: [Vec2]) -> [Vec2]? {
    guard image.count == H36M17.count, image.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
      return nil
    }
    let v = KeypointNormalization.normalize(image)
    return (0..<H36M17.count).map { Vec2(v[2 * $0], v[2 * $0 + 1]) }
  }

  /// Largest estimate document read (512 MB).
  public static let maxFileBytes = 512 << 20

  private struct EstimateFrame: Decodable {
    var file: String?
    var sequence: String?
    var frame: Int?
    var time: Double?
    var person: Bool?
    var image: [[Double]]?
    enum CodingKeys: String, CodingKey {
      case file, sequence, frame, person
      case time = "time_s"
      case image = "h36m17_image"
    }
  }

  private struct EstimateFile: Decodable {
    var frames: [EstimateFrame]
  }

  /// Reads a `posescope estimate` JSON document: one sequence per `sequence` value (a frame folder or
  /// video; a frame without one is its own sequence), frames ordered by `frame`, poses from
  /// `h36m17_image` (frames without a person, or with a malformed or non-finite `h36m17_image`, are nil).
  /// The frame time is the median step of `time_s` when present.
  ///
  /// - Throws: `TrainingError.io` when unreadable or too large, `.badDataset` naming the path when it is
  ///   not an estimate document or has no pose at all.
  public static func loadEstimate(path: String) throws -> [Pose2DSequence] {
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
      size.int64Value > Int64(maxFileBytes)
    {
      throw TrainingError.io(path: path, reason: "file is over the \(maxFileBytes)-byte limit")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TrainingError.io(path: path, reason: "cannot read the estimate document (does the file exist?)")
    }
    return try decodeEstimate(data, path: path)
  }

  /// Decodes a `posescope estimate` JSON document (see `loadEstimate`); `path` is used in errors.
  public static func decodeEstimate(_ data: Data, path: String) throws -> [Pose2DSequence] {
    let file: EstimateFile
    do {
      file = try JSONDecoder().decode(EstimateFile.self, from: data)
    } catch {
      throw TrainingError.badDataset(
        path: path, reason: "not a `posescope estimate` JSON document with \"frames\" (\(error))")
    }
    var order: [String] = []
    var groups: [String: [(index: Int, time: Double?, pose: [Vec2]?)]] = [:]
    for (i, f) in file.frames.enumerated() {
      let key = f.sequence ?? f.file ?? "frame \(i)"
      if groups[key] == nil { order.append(key) }
      var pose: [Vec2]? = nil
      if f.person ?? true, let image = f.image, image.allSatisfy({ $0.count == 2 }) {
        pose = normalized(image.map { Vec2($0[0], $0[1]) })
      }
      groups[key, default: []].append((f.frame ?? groups[key]?.count ?? 0, f.time, pose))
    }
    var out: [Pose2DSequence] = []
    for key in order {
      let frames = (groups[key] ?? []).enumerated().sorted {
        ($0.element.index, $0.offset) < ($1.element.index, $1.offset)
      }
      .map(\.element)
      let times = frames.compactMap(\.time)
      var steps = zip(times.dropFirst(), times).map { $0 - $1 }.filter { $0 > 0 && $0.isFinite }
      steps.sort()
      let frameTime = steps.isEmpty ? nil : steps[steps.count / 2]
      out.append(Pose2DSequence(name: "\(path)#\(key)", frameTime: frameTime, frames: frames.map(\.pose)))
    }
    guard out.contains(where: { $0.frames.contains { $0 != nil } }) else {
      throw TrainingError.badDataset(path: path, reason: "no frame has a person with 17 h36m17_image points")
    }
    return out
  }

  /// Sequences of the 2D rows of `set` (grouped by `set.sequence`), dropping its 3D targets.
  public static func from(_ set: EvaluationSet, names: [String] = []) -> [Pose2DSequence] {
    var order: [Int] = []
    var groups: [Int: [[Vec2]?]] = [:]
    var times: [Int: [Double]] = [:]
    let c = set.inputs.columns
    for r in 0..<set.inputs.rows {
      let id = set.sequence[r]
      if groups[id] == nil { order.append(id) }
      let v = set.inputs.values[(r * c)..<((r + 1) * c)]
      let base = v.startIndex
      groups[id, default: []].append(
        (0..<H36M17.count).map { Vec2(Double(v[base + 2 * $0]), Double(v[base + 2 * $0 + 1])) })
      if r < set.times.count { times[id, default: []].append(set.times[r]) }
    }
    return order.map { id in
      let t = times[id] ?? []
      let step = t.count > 1 ? t[1] - t[0] : nil
      let name = names.indices.contains(id) ? names[id] : "sequence \(id)"
      return Pose2DSequence(name: name, frameTime: step, frames: groups[id] ?? [])
    }
  }
}

/// 2D sequences projected from mocap with one fixed random camera per sequence, and the 3D truth of
/// the same frames kept in a separate object for evaluation only.
public struct ProjectedMocap: Sendable {
  /// The 2D-only training view (no 3D fields).
  public var sequences: [Pose2DSequence]
  /// The 3D truth (root-relative camera frame, mm) of the same frames, for evaluation; never given to the
  /// unsupervised trainer.
  public var truth: EvaluationSet

  /// Projects every `stride`-th frame of `mocap` through `generator` (noise as configured, one bone-scale
  /// draw and one camera per sequence, looking at the sequence's mean pelvis), from `seed`.
  public static func make(
    _ mocap: [PoseSequence], generator: SampleGenerator, seed: UInt64, stride: Int = 1
  ) throws -> ProjectedMocap {
    let set = try EvaluationSet.make(
      mocap, generator: generator, seed: seed, stride: stride, cameraPerSequence: true)
    return ProjectedMocap(sequences: Pose2DSequence.from(set, names: mocap.map(\.name)), truth: set)
  }
}

/// All frames with a pose of some 2D sequences as one N × 34 matrix (the unsupervised training pool),
/// with each row's sequence and frame number so that neighbouring frames of one sequence can be drawn
/// together (for temporal losses).
public struct Pose2DBank: Sendable {
  /// Normalised inputs, N × 34 (x0, y0, …, x16, y16).
  public private(set) var inputs: Matrix<Float>
  /// Index (into the sequences given to `init`) of the sequence of each row.
  public let sequence: [Int]
  /// Frame number (index into its sequence's `frames`) of each row; increasing within a sequence.
  public let frame: [Int]

  /// Number of poses.
  public var count: Int { inputs.rows }

  /// Largest window length and frame gap `windows(frames:gap:)` accepts.
  public static let maxWindowFrames = 16
  /// Largest frame gap `windows(frames:gap:)` accepts.
  public static let maxWindowGap = 1000

  /// Stacks every non-nil frame of `sequences`.
  ///
  /// - Throws: `TrainingError.badDataset` when there is no pose, or a frame is not 17 finite points.
  public init(_ sequences: [Pose2DSequence]) throws {
    var values: [Float] = []
    var sequence: [Int] = []
    var frame: [Int] = []
    for (k, s) in sequences.enumerated() {
      for (i, f) in s.frames.enumerated() {
        guard let f else { continue }
        guard f.count == H36M17.count, f.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
          throw TrainingError.badDataset(path: s.name, reason: "frame \(i) is not 17 finite 2D points")
        }
        for p in f { values += [Float(p.x), Float(p.y)] }
        sequence.append(k)
        frame.append(i)
      }
    }
    guard !values.isEmpty else {
      throw TrainingError.badDataset(path: "(2D sequences)", reason: "there are no 2D poses to train on")
    }
    let n = values.count / KeypointNormalization.inputCount
    inputs = Matrix(rows: n, columns: KeypointNormalization.inputCount, values: values)
    self.sequence = sequence
    self.frame = frame
  }

  /// Every window of `frames` poses of one sequence whose frame numbers are t, t + gap, …,
  /// t + (frames − 1)·gap, all with a pose: the rows of each window in time order. A window never spans
  /// two sequences or a frame without a pose.
  ///
  /// - Throws: `TrainingError.invalidConfiguration` unless 1 ≤ frames ≤ `maxWindowFrames` and
  ///   1 ≤ gap ≤ `maxWindowGap`.
  public func windows(frames: Int, gap: Int) throws -> [[Int]] {
    guard (1...Self.maxWindowFrames).contains(frames), (1...Self.maxWindowGap).contains(gap) else {
      throw TrainingError.invalidConfiguration(
        "temporal windows need 1…\(Self.maxWindowFrames) frames and a gap of 1…\(Self.maxWindowGap) frames "
          + "(got \(frames) frames, gap \(gap))")
    }
    var out: [[Int]] = []
    var start = 0
    while start < count {
      // Rows start..<end are one sequence, frames increasing.
      var end = start + 1
      while end < count && sequence[end] == sequence[start] { end += 1 }
      var rowOfFrame: [Int: Int] = [:]
      for r in start..<end { rowOfFrame[frame[r]] = r }
      for r in start..<end {
        var rows = [r]
        for k in 1..<frames {
          guard let next = rowOfFrame[frame[r] + k * gap] else { break }
          rows.append(next)
        }
        if rows.count == frames { out.append(rows) }
      }
      start = end
    }
    return out
  }
}
