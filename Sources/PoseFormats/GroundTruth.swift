// PoseFormats: ground-truth sidecar files (`<image or folder>.gt.json`): format, loading and validation.

import FileSupport
import Foundation
import PoseCore

/// Ground truth for one image or frame folder, read from a sidecar file next to it.
///
/// The sidecar is `<path>.gt.json` (`bus.jpg.gt.json`; `sports2d.gt.json` next to the folder
/// `sports2d/`), a JSON object with at least one of:
///
/// ```json
/// {
///   "version": 1,
///   "bone_lengths_mm": {"right_upper_leg": 432.0, "right_lower_leg": 441.5, "...": 0},
///   "joints_mm": [
///     [[0, 0, 0], [-128, 4, 10], "... 17 joints [x, y, z] in H36M17.names order"],
///     null
///   ]
/// }
/// ```
///
/// - `bone_lengths_mm`: the subject's bone lengths in millimetres, keyed by H36M-17 bone names
///   (`H36M17.boneNames`); any subset, every value a positive finite number.
/// - `joints_mm`: per frame (one entry for an image, one per frame in natural order for a folder, `null`
///   for frames without ground truth) the 17 H36M joints in millimetres, `[x, y, z]` in
///   `H36M17.names` order, in any right-handed metric frame (camera coordinates with y down match the
///   estimates best; MPJPE is computed after moving both pelvises to the origin, PA-MPJPE after the
///   best similarity alignment).
/// - `version` (optional) must be 1; other keys are ignored.
///
/// Reference lengths come from `bone_lengths_mm` when given, else from the current frame's joints.
public struct GroundTruth: Sendable, Equatable {
  /// Largest sidecar file read (64 MiB).
  public static let maxFileBytes = 64 << 20

  /// The file read.
  public var path: String
  /// Per H36M-17 bone (in `H36M17.boneNames` order), the length in metres, nil when not given.
  public var boneLengths: [Double?]
  /// Per frame, the 17 H36M joints in metres (nil: no ground truth for that frame); empty without joints.
  public var frames: [[Vec3]?]

  /// Creates ground truth from values in metres.
  public init(path: String, boneLengths: [Double?] = [], frames: [[Vec3]?] = []) {
    self.path = path
    self.boneLengths =
      boneLengths.count == H36M17.boneNames.count
      ? boneLengths : [Double?](repeating: nil, count: H36M17.boneNames.count)
    self.frames = frames
  }

  /// True when any bone length is given.
  public var hasBoneLengths: Bool { boneLengths.contains { $0 != nil } }

  /// The joints of frame `i` (metres), nil when the file has none for it.
  public func joints(frame i: Int) -> [Vec3]? {
    guard i >= 0, i < frames.count else { return nil }
    return frames[i]
  }

  /// Reference H36M-17 bone lengths in metres for frame `i` (NaN for bones not given): the per-subject
  /// lengths when the file has them, else the lengths of that frame's joints; nil when neither exists.
  public func referenceLengths(frame i: Int) -> [Double]? {
    if hasBoneLengths { return boneLengths.map { $0 ?? .nan } }
    guard let joints = joints(frame: i) else { return nil }
    return try? PoseMetrics.boneLengths(joints, skeleton: H36M17.skeleton)
  }

  /// Reads and checks a sidecar file. `frameCount`, when given, is the number of frames of the image
  /// (1) or folder it belongs to; more joint frames than that is an error.
  public static func load(path: String, frameCount: Int? = nil) throws(GroundTruthError) -> GroundTruth {
    let bytes: [UInt8]
    do {
      bytes = try BoundedRead.bytes(path, limit: maxFileBytes)
    } catch {
      if case .tooLarge(let size) = error {
        throw GroundTruthError(path: path, reason: "the file is \(size) bytes; the limit is \(maxFileBytes)")
      }
      throw GroundTruthError(path: path, reason: "cannot read the file (missing or not readable)")
    }
    return try parse(Data(bytes), path: path, frameCount: frameCount)
  }

  /// Parses sidecar JSON (see the type's documentation); `path` names it in errors.
  public static func parse(_ data: Data, path: String, frameCount: Int? = nil) throws(GroundTruthError)
    -> GroundTruth
  {
    func fail(_ reason: String) -> GroundTruthError { GroundTruthError(path: path, reason: reason) }
    guard data.count <= maxFileBytes else { throw fail("the file is larger than \(maxFileBytes) bytes") }
    let root: JSONValue
    do {
      root = try JSONDecoder().decode(JSONValue.self, from: data)
    } catch {
      throw fail("not valid JSON (\(Self.describe(error)))")
    }
    guard case .object(let object) = root else { throw fail("the top level must be a JSON object") }
    if let version = object["version"] {
      guard version.number == 1 else {
        throw fail("\"version\" must be 1 (the only sidecar format so far)")
      }
    }
    let lengthsValue = object["bone_lengths_mm"]
    let jointsValue = object["joints_mm"]
    guard lengthsValue != nil || jointsValue != nil else {
      throw fail(
        "needs \"bone_lengths_mm\" (per-subject bone lengths) and/or \"joints_mm\" (per-frame joints)")
    }

    var lengths = [Double?](repeating: nil, count: H36M17.boneNames.count)
    if let lengthsValue {
      guard case .object(let entries) = lengthsValue else {
        throw fail("\"bone_lengths_mm\" must be an object of bone name → length in mm")
      }
      guard !entries.isEmpty else { throw fail("\"bone_lengths_mm\" is empty") }
      for (name, value) in entries.sorted(by: { $0.key < $1.key }) {
        guard let index = H36M17.boneNames.firstIndex(of: name) else {
          throw fail(
            "unknown bone \"\(name)\" in \"bone_lengths_mm\"; H36M-17 bones are "
              + H36M17.boneNames.joined(separator: ", "))
        }
        guard let mm = value.number, mm.isFinite, mm > 0, mm < 10_000 else {
          throw fail("bone_lengths_mm.\(name) must be a length in mm (a number above 0 and below 10000)")
        }
        lengths[index] = mm / 1000
      }
    }

    var frames: [[Vec3]?] = []
    if let jointsValue {
      guard case .array(let list) = jointsValue else {
        throw fail("\"joints_mm\" must be an array with one entry per frame (17 [x, y, z] joints, or null)")
      }
      if let frameCount, list.count > frameCount {
        throw fail(
          "\"joints_mm\" has \(list.count) frames but the \(frameCount == 1 ? "image has 1" : "folder has \(frameCount)")"
        )
      }
      frames.reserveCapacity(list.count)
      for (f, entry) in list.enumerated() {
        if case .null = entry {
          frames.append(nil)
          continue
        }
        guard case .array(let joints) = entry, joints.count == H36M17.count else {
          throw fail("joints_mm[\(f)] must be null or 17 joints [x, y, z] in H36M17 order")
        }
        var points: [Vec3] = []
        points.reserveCapacity(H36M17.count)
        for (j, joint) in joints.enumerated() {
          guard case .array(let xyz) = joint, xyz.count == 3 else {
            throw fail("joints_mm[\(f)][\(j)] (\(H36M17.names[j])) must be [x, y, z]")
          }
          var c: [Double] = []
          for v in xyz {
            guard let n = v.number, n.isFinite, abs(n) < 1e7 else {
              throw fail("joints_mm[\(f)][\(j)] (\(H36M17.names[j])) has a value that is not a finite number")
            }
            c.append(n / 1000)
          }
          points.append(Vec3(c[0], c[1], c[2]))
        }
        frames.append(points)
      }
      guard frames.contains(where: { $0 != nil }) else {
        throw fail("\"joints_mm\" has no frame with joints (all null or empty)")
      }
    }
    return GroundTruth(path: path, boneLengths: lengths, frames: frames)
  }

  static func describe(_ error: Error) -> String {
    if case DecodingError.dataCorrupted(let context) = error {
      if let underlying = context.underlyingError { return "\(underlying)" }
      return context.debugDescription
    }
    return "\(error)"
  }
}

/// A sidecar file that could not be used.
public struct GroundTruthError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The sidecar's path.
  public var path: String
  /// What is wrong with it.
  public var reason: String

  /// Creates an error.
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
