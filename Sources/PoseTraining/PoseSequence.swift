// PoseTraining: 3D joint sequences from other sources — the documented JSON and CSV formats.

import Foundation
import PoseCore
import PoseFormats

/// A sequence of H36M-17 poses in metres (world coordinates, +Y up), the training input of the lifter.
///
/// Two file formats let users train from sources other than BVH:
///
/// JSON (`.json`):
///
///     {
///       "skeleton": "h36m17",
///       "metresPerUnit": 0.001,
///       "frameTime": 0.02,
///       "frames": [[x0, y0, z0, x1, y1, z1, …, x16, y16, z16], …]
///     }
///
/// `skeleton` must be `h36m17`; each frame is 51 numbers, joints in `H36M17.names` order; `metresPerUnit`
/// (default 1) scales them to metres; `frameTime` (seconds) is optional.
///
/// CSV (`.csv`): a header row of the 51 column names `pelvis_x,pelvis_y,pelvis_z,right_hip_x,…,
/// right_wrist_z` (H36M order, exactly these), then one row of 51 numbers per frame; the unit is a
/// parameter of `load` (default metres). Blank lines are skipped.
///
/// Coordinates are world coordinates with +Y up (the virtual cameras orbit the Y axis); the origin is
/// free (samples are made root-relative).
public struct PoseSequence: Sendable, Equatable {
  /// Source file or label.
  public var name: String
  /// Seconds per frame, if known.
  public var frameTime: Double?
  /// Poses in metres, 17 joints each.
  public var poses: [[Vec3]]

  /// Creates a sequence.
  public init(name: String, frameTime: Double? = nil, poses: [[Vec3]]) {
    self.name = name
    self.frameTime = frameTime
    self.poses = poses
  }

  /// Largest file read (512 MB).
  public static let maxFileBytes = 512 << 20

  /// CSV column names: `<joint>_x`, `<joint>_y`, `<joint>_z` for each H36M joint.
  public static let csvColumns: [String] = H36M17.names.flatMap { ["\($0)_x", "\($0)_y", "\($0)_z"] }

  private struct JSONFile: Codable {
    var skeleton: String
    var metresPerUnit: Double?
    var frameTime: Double?
    var frames: [[Double]]
  }

  /// Reads a `.json` or `.csv` file; `metresPerUnit` applies to CSV (JSON carries its own).
  ///
  /// - Throws: `TrainingError.io` when unreadable or too large, `.badDataset` naming the path (and the CSV
  ///   line or JSON frame) when malformed.
  public static func load(path: String, metresPerUnit: Double = 1) throws -> PoseSequence {
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
      size.int64Value > Int64(maxFileBytes)
    {
      throw TrainingError.io(path: path, reason: "file is over the \(maxFileBytes)-byte limit")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw TrainingError.io(path: path, reason: "cannot read pose sequence (does the file exist?)")
    }
    switch (path as NSString).pathExtension.lowercased() {
    case "json": return try decodeJSON(data, path: path)
    case "csv": return try decodeCSV(data, path: path, metresPerUnit: metresPerUnit)
    default:
      throw TrainingError.badDataset(path: path, reason: "unknown extension (expected .json or .csv)")
    }
  }

  static func pose(_ values: [Double], scale: Double) -> [Vec3] {
    (0..<H36M17.count).map { Vec3(values[3 * $0], values[3 * $0 + 1], values[3 * $0 + 2]) * scale }
  }

  /// Decodes the JSON format; `path` is used in errors.
  public static func decodeJSON(_ data: Data, path: String) throws -> PoseSequence {
    func bad(_ reason: String) -> TrainingError { .badDataset(path: path, reason: reason) }
    let file: JSONFile
    do {
      file = try JSONDecoder().decode(JSONFile.self, from: data)
    } catch {
      throw bad("not a pose-sequence JSON object with \"skeleton\" and \"frames\" (\(error))")
    }
    guard file.skeleton == "h36m17" else {
      throw bad("skeleton '\(file.skeleton)' is not supported (use h36m17)")
    }
    let scale = file.metresPerUnit ?? 1
    guard scale > 0, scale.isFinite else { throw bad("metresPerUnit \(scale) must be positive and finite") }
    if let t = file.frameTime, !(t > 0 && t.isFinite) { throw bad("frameTime \(t) must be positive") }
    var poses: [[Vec3]] = []
    poses.reserveCapacity(file.frames.count)
    for (i, frame) in file.frames.enumerated() {
      guard frame.count == 3 * H36M17.count else {
        throw bad("frame \(i) has \(frame.count) numbers, expected 51 (17 joints × x, y, z)")
      }
      guard frame.allSatisfy(\.isFinite) else { throw bad("frame \(i) contains a non-finite number") }
      poses.append(pose(frame, scale: scale))
    }
    return PoseSequence(name: path, frameTime: file.frameTime, poses: poses)
  }

  /// Decodes the CSV format; `path` is used in errors.
  public static func decodeCSV(_ data: Data, path: String, metresPerUnit: Double = 1) throws -> PoseSequence {
    func bad(_ line: Int, _ reason: String) -> TrainingError {
      .badDataset(path: path, reason: "line \(line): \(reason)")
    }
    guard metresPerUnit > 0, metresPerUnit.isFinite else {
      throw TrainingError.badDataset(path: path, reason: "metresPerUnit \(metresPerUnit) must be positive")
    }
    let text = String(decoding: data, as: UTF8.self)
    var poses: [[Vec3]] = []
    var sawHeader = false
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let lineNumber = index + 1
      let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if !sawHeader {
        guard fields == csvColumns else {
          throw bad(
            lineNumber, "the header must be the 51 columns pelvis_x,pelvis_y,…,right_wrist_z in H36M order")
        }
        sawHeader = true
        continue
      }
      guard fields.count == csvColumns.count else {
        throw bad(lineNumber, "\(fields.count) values, expected 51")
      }
      var values: [Double] = []
      values.reserveCapacity(51)
      for (c, f) in fields.enumerated() {
        guard let v = Double(f) else {
          throw bad(lineNumber, "\(csvColumns[c]) '\(f.prefix(40))' is not a number")
        }
        guard v.isFinite else { throw bad(lineNumber, "\(csvColumns[c]) is not finite") }
        values.append(v)
      }
      poses.append(pose(values, scale: metresPerUnit))
    }
    guard sawHeader else {
      throw TrainingError.badDataset(path: path, reason: "the file is empty (no header row)")
    }
    return PoseSequence(name: path, poses: poses)
  }
}
