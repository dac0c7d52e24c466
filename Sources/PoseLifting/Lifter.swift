// PoseLifting: `Lifter`, the one entry point of 2D→3D lifting — any lifter file PoseScope writes, loaded
// by its `format`, lifting H36M-17 image points to metres and holding poses to bone lengths.

import CKernels
import ModelFiles
import NeuralEngine
import PoseCore

/// A trained 2D→3D lifter of either kind (`LifterKind`), for inference.
///
/// Reads a supervised lifter (`LifterKind.supervisedFormat`: the prediction network P under `lifter.…`,
/// optionally AITE's adjustment network A under `adjustment.…`, and a training configuration as `config`),
/// a training checkpoint (`LifterKind.checkpointFormat`: the same tensors among others), or an
/// unsupervised lifter (`LifterKind.unsupervisedFormat`: a network of 16 depths under `teacher.…` or
/// `student.…`, as its `role` metadata says, with an unsupervised configuration as `config`). Every
/// product runs on CKernels' packed GEMM with BatchNorm folded at load, never on OpenBLAS, so lifting
/// leaves OpenBLAS's process-wide thread count alone.
///
/// Output: 17 H36M-17 joints in metres in the camera frame (x right, y down, z forward), root-relative:
/// an unsupervised lifter's pelvis is exactly at the origin, a supervised one's where P puts it (P was
/// trained with the pelvis at the origin; the shipped lifter puts it within 0.1 mm of it, and the output
/// is not re-centred, as training's `LifterModel.lift` does not). An unsupervised lifter's poses have no
/// scale of their own; they are scaled so that their 16 bone lengths add up to those of a body `height`
/// metres tall (`Anthropometry.h36mBoneFractions`).
///
/// A lifter reuses its scratch memory between calls: use it from one thread at a time.
public final class Lifter {
  /// Accepted body heights (m).
  public static let heights: ClosedRange<Double> = 0.5...2.8
  /// The body height (m) unsupervised poses are scaled to unless told otherwise.
  public static let defaultHeight = 1.7
  /// Accepted thread counts.
  public static let threadCounts: ClosedRange<Int> = 1...64
  /// Poses per pass of a batch: scratch is allocated for at most this many rows.
  static let chunkRows = 512

  /// Which kind of lifter the file holds.
  public let kind: LifterKind
  /// The file's path (or `SafeTensors.inMemoryPath`), as errors name it.
  public let path: String
  /// The file's metadata.
  public let metadata: [String: String]
  /// The body height (m) an unsupervised lifter's poses are scaled to (unused by a supervised one).
  public let height: Double
  /// Threads a pass may use (CKernels' pool; products too small to gain from a split run on one).
  public let threads: Int

  private let network: LifterNetwork
  private let adjustment: AdjustmentCascade?
  private let isa = ck_isa_default()
  private var scratchRows = 0
  private var input = AlignedFloats(count: 0)
  private var output = AlignedFloats(count: 0)
  private var scratch = AlignedFloats(count: 0)

  /// Loads the lifter at `path`, picking the kind from its `format` metadata.
  ///
  /// - Parameters:
  ///   - height: the body height (m, 0.5–2.8) that gives an unsupervised lifter's poses their scale.
  ///   - threads: threads a pass may use (1–64).
  /// - Throws: `LiftingError.invalidArgument` for a height or thread count out of range;
  ///   `SafeTensorsError` for an unreadable file; `LiftingError.badFile` naming the path for an unknown
  ///   format, a missing or invalid configuration, a bad role, a missing tensor, a wrong shape or NaN or
  ///   infinite values.
  public static func load(path: String, height: Double = defaultHeight, threads: Int = 1) throws -> Lifter {
    try check(height: height, threads: threads)
    return try Lifter(file: SafeTensors.read(path: path), height: height, threads: threads)
  }

  /// Loads a lifter file already read (errors name `file.path`); see `load(path:height:threads:)`.
  public init(file: SafeTensors, height: Double = defaultHeight, threads: Int = 1) throws {
    try Self.check(height: height, threads: threads)
    let reader = LifterFile(file: file, path: file.path)
    let format = file.metadata["format"]
    guard let kind = LifterKind(format: format) else {
      throw reader.bad(
        "metadata 'format' is \(format.map { "'\($0)'" } ?? "missing"), expected "
          + "'\(LifterKind.supervisedFormat)', '\(LifterKind.unsupervisedFormat)' or "
          + "'\(LifterKind.checkpointFormat)' — not a PoseScope lifter")
    }
    switch kind {
    case .supervised:
      let architecture = try reader.config(
        SupervisedLifterArchitecture.self, what: "a training configuration"
      ) { try $0.validate() }
      // The output layer gives metres: P's raw output is in units of `outputScale` mm.
      network = try LifterNetwork(
        file: reader, prefix: SupervisedLifterArchitecture.networkPrefix, config: architecture.network,
        outputScale: architecture.outputScale / 1000)
      // A is optional: files of K = 0 runs (and older exports) have no adjustment tensors.
      let prefix = SupervisedLifterArchitecture.adjustmentPrefix
      let stages = architecture.adjustment.stages
      let names = AdjustmentCascade.tensorNames(prefix: prefix, stages: stages)
      adjustment =
        stages > 0 && names.allSatisfy(reader.has)
        ? try AdjustmentCascade(file: reader, prefix: prefix, config: architecture.adjustment) : nil
    case .unsupervised:
      let architecture = try reader.config(
        UnsupervisedLifterArchitecture.self, what: "an unsupervised configuration"
      ) { try $0.validate() }
      let role = file.metadata["role"] ?? UnsupervisedLifterArchitecture.roles[0]
      guard UnsupervisedLifterArchitecture.roles.contains(role) else {
        throw reader.bad(
          "metadata 'role' is '\(role)', expected one of "
            + UnsupervisedLifterArchitecture.roles.joined(separator: ", "))
      }
      network = try LifterNetwork(file: reader, prefix: role, config: architecture.network, outputScale: 1)
      adjustment = nil
    }
    self.kind = kind
    path = file.path
    metadata = file.metadata
    self.height = height
    self.threads = threads
  }

  private static func check(height: Double, threads: Int) throws {
    guard height.isFinite, heights.contains(height) else {
      throw LiftingError.invalidArgument(
        "a body height of \(height) m is outside \(heights.lowerBound)–\(heights.upperBound) m")
    }
    guard threadCounts.contains(threads) else {
      throw LiftingError.invalidArgument(
        "\(threads) threads is outside \(threadCounts.lowerBound)–\(threadCounts.upperBound)")
    }
  }

  /// Whether the file has a trained adjustment network, so that `adjust` works.
  public var hasAdjustment: Bool { adjustment != nil }

  /// The viewer's name for it: "AITE lifter", "unsupervised lifter" or, when the file records its role,
  /// "unsupervised student" / "unsupervised teacher".
  public var shortName: String {
    switch kind {
    case .supervised: return "AITE lifter"
    case .unsupervised: return "unsupervised " + (metadata["role"] ?? "lifter")
    }
  }

  /// A short description for messages: the kind, and for unsupervised files their role (`teacher` or
  /// `student`) when the file records it and the body height they are scaled to.
  public var summary: String {
    switch kind {
    case .supervised:
      return hasAdjustment ? "supervised lifter with a DCM cascade" : "supervised lifter"
    case .unsupervised:
      let role = metadata["role"].map { " (\($0))" } ?? ""
      return "unsupervised lifter\(role), scaled to a \(height) m body"
    }
  }

  /// Lifts 17 H36M-17 image points (pixels, y down) to 17 joints in metres (camera frame: x right, y down,
  /// z forward; root-relative).
  ///
  /// - Throws: `LiftingError.shapeMismatch` unless exactly 17 points are given,
  ///   `LiftingError.invalidArgument` for a NaN or infinite coordinate.
  public func lift(_ points: [Vec2]) throws -> [Vec3] {
    try lift([points])[0]
  }

  /// Lifts every pose of `batch` (17 image points each) as `lift(_:)` does, in passes of up to 512 poses.
  ///
  /// - Throws: `LiftingError.shapeMismatch` or `LiftingError.invalidArgument` naming the first bad pose.
  public func lift(_ batch: [[Vec2]]) throws -> [[Vec3]] {
    for (i, points) in batch.enumerated() {
      let what = batch.count == 1 ? "lifter input" : "lifter input \(i)"
      guard points.count == H36M17.count else {
        throw LiftingError.shapeMismatch(what: what, expected: "17 points", actual: "\(points.count)")
      }
      guard points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
        throw LiftingError.invalidArgument("\(what) has a NaN or infinite coordinate")
      }
    }
    var poses: [[Vec3]] = []
    poses.reserveCapacity(batch.count)
    var start = 0
    while start < batch.count {
      let rows = min(Self.chunkRows, batch.count - start)
      reserve(rows: rows)
      let n = KeypointNormalization.inputCount
      for r in 0..<rows {
        for (c, v) in KeypointNormalization.normalize(batch[start + r]).enumerated() {
          input.pointer[r * n + c] = Float(v)
        }
      }
      run(rows: rows)
      for r in 0..<rows { poses.append(pose(row: r)) }
      start += rows
    }
    return poses
  }

  /// Runs the trained adjustment network A (K DCMs, evaluation mode: no disturbance) on a root-relative
  /// pose in metres with the subject's bone lengths in metres (`H36M17.bones` order): AITE's DCM cascade
  /// at inference. Returns the adjusted pose in metres.
  ///
  /// - Throws: `LiftingError.noAdjustmentNetwork` when the file has none (`hasAdjustment`),
  ///   `LiftingError.shapeMismatch` for wrong joint or length counts, `LiftingError.invalidArgument` for
  ///   NaN or infinite values.
  public func adjust(_ pose: [Vec3], lengths: [Double]) throws -> [Vec3] {
    guard let adjustment else { throw LiftingError.noAdjustmentNetwork(path: path) }
    guard lengths.count == H36M17.bones.count else {
      throw LiftingError.shapeMismatch(
        what: "bone lengths", expected: "\(H36M17.bones.count)", actual: "\(lengths.count)")
    }
    guard pose.count == H36M17.count else {
      throw LiftingError.shapeMismatch(what: "pose", expected: "17 joints", actual: "\(pose.count)")
    }
    guard pose.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }),
      lengths.allSatisfy(\.isFinite)
    else { throw LiftingError.invalidArgument("a pose or bone length to adjust is NaN or infinite") }
    // A works in the lifter's units, millimetres.
    let mm = pose.flatMap { [Float(1000 * $0.x), Float(1000 * $0.y), Float(1000 * $0.z)] }
    let out = adjustment.adjust(mm, lengths: lengths.map { Float(1000 * $0) }, isa: isa)
    return (0..<H36M17.count).map {
      Vec3(Double(out[3 * $0]), Double(out[3 * $0 + 1]), Double(out[3 * $0 + 2])) / 1000
    }
  }

  /// Makes the buffers hold `rows` rows.
  private func reserve(rows: Int) {
    guard rows > scratchRows else { return }
    input = AlignedFloats(count: rows * network.config.inputs)
    output = AlignedFloats(count: rows * network.config.outputs)
    scratch = AlignedFloats(count: rows * network.scratchPerRow)
    scratchRows = rows
  }

  /// The network on the first `rows` rows of `input`: the rows shared among the threads when the pass
  /// is worth splitting, else one pass whose wide products may split their columns.
  private func run(rows: Int) {
    let (x, y, s) = (UnsafePointer(input.pointer), output.pointer, scratch.pointer)
    guard threads > 1, rows > 1, rows * network.flopsPerRow >= minimumParallelFlops else {
      network.forward(rows: 0..<rows, x, y, scratch: s, isa: isa, threads: threads)
      return
    }
    // Up to four parts per thread (a descheduled thread's unclaimed parts are taken over), a multiple of
    // the thread count so that every thread's share is the same size.
    var parts = min(rows, 4 * threads)
    if parts > threads { parts -= parts % threads }
    let (network, isa) = (network, isa)
    parallelParts(parts, threads: threads) { i in
      network.forward(
        rows: (rows * i / parts)..<(rows * (i + 1) / parts), x, y, scratch: s, isa: isa, threads: 1)
    }
  }

  /// Row `r` of the latest pass as a pose in metres.
  private func pose(row r: Int) -> [Vec3] {
    let y = output.pointer + r * network.config.outputs
    switch kind {
    case .supervised:
      return (0..<H36M17.count).map { Vec3(Double(y[3 * $0]), Double(y[3 * $0 + 1]), Double(y[3 * $0 + 2])) }
    case .unsupervised:
      // (x_j, y_j) the normalised input (orthographic model), z_j the depths (pelvis 0), then the scale.
      let x = input.pointer + r * KeypointNormalization.inputCount
      let pose = (0..<H36M17.count).map {
        Vec3(Double(x[2 * $0]), Double(x[2 * $0 + 1]), $0 == 0 ? 0 : Double(y[$0 - 1]))
      }
      let total = H36M17.bones.reduce(0.0) { $0 + pose[$1.child].distance(to: pose[$1.parent]) }
      let target = height * Anthropometry.h36mBoneFractions.reduce(0, +)
      let k = total > 0 && total.isFinite ? target / total : 0
      return pose.map { k * $0 }
    }
  }
}
