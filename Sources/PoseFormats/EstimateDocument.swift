// PoseFormats: the estimate schema (1) — the per-frame record, the document, its JSON layout and CSV.
import FileSupport
import Foundation
import PoseCore

/// One processed frame: what was read, and the 2D and 3D pose found in it (schema 1).
public struct FrameRecord: Codable, Sendable, Equatable {
  /// The image file.
  public var file: String
  /// The frame folder it belongs to, for sequences.
  public var sequence: String?
  /// The 0-based index within the sequence.
  public var frame: Int?
  /// The frame's time in seconds from the start of a video (videos only).
  public var time: Double?
  /// Image size in pixels.
  public var width: Int
  public var height: Int
  /// Whether a person was found.
  public var person: Bool
  /// The landmark model's pose presence score (0–1).
  public var score: Double?
  /// 33 BlazePose landmarks in image pixels: [x, y, z, visibility, presence]; z is in pixel-like units
  /// relative to the hips (smaller is nearer the camera).
  public var landmarks: [[Double]]?
  /// 33 BlazePose world landmarks in metres, origin at the hip centre, y down: [x, y, z].
  public var worldLandmarks: [[Double]]?
  /// The H36M-17 joints in metres, built from the world landmarks (see `BlazePoseToH36M`): [x, y, z].
  public var h36m17: [[Double]]?
  /// The H36M-17 joints in image pixels: [x, y].
  public var h36m17Image: [[Double]]?
  /// The 16 H36M-17 bone lengths in metres, in `H36M17.boneNames` order.
  public var boneLengths: [BoneLength]?
  /// The 2D→3D lifter's H36M-17 joints from `h36m17_image`, in metres, pelvis at the origin, camera
  /// frame (x right, y down, z away from the camera), when a lifter ran.
  public var liftedH36m17: [[Double]]?
  /// The bone lengths of `liftedH36m17`, in metres.
  public var liftedBoneLengths: [BoneLength]?
  /// The bone-length-consistent H36M-17 joints (`estimate --consistent-bones`), in metres, pelvis at the
  /// origin, same frame as the 3D source they were made from: every bone has the subject's length
  /// (`EstimateDocument.subjectBoneLengths`).
  public var consistentH36m17: [[Double]]?
  /// Which 3D source `consistentH36m17` was made from: `lifted` or `world`.
  public var consistentSource: String?

  /// A named bone length.
  public struct BoneLength: Codable, Sendable, Equatable {
    public var name: String
    public var lengthM: Double
    /// Creates a named length (metres).
    public init(name: String, lengthM: Double) {
      self.name = name
      self.lengthM = lengthM
    }
    enum CodingKeys: String, CodingKey {
      case name
      case lengthM = "length_m"
    }
  }

  enum CodingKeys: String, CodingKey {
    case file, sequence, frame, width, height, person, score, landmarks
    case time = "time_s"
    case worldLandmarks = "world_landmarks"
    case h36m17 = "h36m17"
    case h36m17Image = "h36m17_image"
    case boneLengths = "bone_lengths"
    case liftedH36m17 = "lifted_h36m17"
    case liftedBoneLengths = "lifted_bone_lengths"
    case consistentH36m17 = "consistent_h36m17"
    case consistentSource = "consistent_source"
  }

  /// A record of a frame without a person (see `setPose` and `attachLifted` for the pose fields).
  public init(
    file: String, sequence: String? = nil, frame: Int? = nil, time: Double? = nil, width: Int, height: Int
  ) {
    self.file = file
    self.sequence = sequence
    self.frame = frame
    self.time = time.map(Self.round6)
    self.width = width
    self.height = height
    person = false
  }

  /// Values are written with 6 decimals (micrometres for metres, micro-pixels for pixels).
  static func round6(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }

  static func rows(_ points: [SIMD3<Double>]) -> [[Double]] {
    points.map { [round6($0.x), round6($0.y), round6($0.z)] }
  }

  static func lengths(_ values: [Double]) -> [BoneLength] {
    zip(H36M17.boneNames, values).map { BoneLength(name: $0, lengthM: round6($1)) }
  }

  /// Sets the pose fields of a frame with a person: the score, the 33 landmarks as
  /// [x_px, y_px, z, visibility, presence] rows, the 33 world landmarks (metres), and the H36M-17 joints
  /// (metres), their image positions (pixels) and bone lengths (metres) where they could be mapped.
  public mutating func setPose(
    score: Double, landmarks: [[Double]], worldLandmarks: [SIMD3<Double>], h36m17: [SIMD3<Double>]?,
    h36m17Image: [SIMD2<Double>]?, boneLengths: [Double]?
  ) {
    person = true
    self.score = Self.round6(score)
    self.landmarks = landmarks.map { $0.map(Self.round6) }
    self.worldLandmarks = Self.rows(worldLandmarks)
    self.h36m17 = h36m17.map(Self.rows)
    self.boneLengths = boneLengths.map(Self.lengths)
    self.h36m17Image = h36m17Image.map { $0.map { [Self.round6($0.x), Self.round6($0.y)] } }
  }
}

extension FrameRecord {
  /// Adds a lifter's H36M-17 joints (metres) and their bone lengths; ignores a wrong count or non-finite values.
  public mutating func attachLifted(_ joints: [SIMD3<Double>]?) {
    guard let joints, joints.count == H36M17.count, joints.allSatisfy({ ($0 * 0).sum() == 0 }) else { return }
    liftedH36m17 = Self.rows(joints)
    if let lengths = try? PoseMetrics.boneLengths(joints, skeleton: H36M17.skeleton) {
      liftedBoneLengths = Self.lengths(lengths)
    }
  }
}

extension FrameRecord {
  /// Adds bone-length-consistent H36M-17 joints (metres) made from `source` (`lifted` or `world`); ignores
  /// a wrong count or non-finite values.
  public mutating func attachConsistent(_ joints: [SIMD3<Double>]?, source: String) {
    guard let joints, joints.count == H36M17.count, joints.allSatisfy({ ($0 * 0).sum() == 0 }) else { return }
    consistentH36m17 = Self.rows(joints)
    consistentSource = source
  }
}

/// The bone lengths one sequence was held to (`EstimateDocument.subjects`).
public struct SubjectRecord: Codable, Sendable, Equatable {
  /// The sequence (frame folder or video), or the image file for a single image.
  public var sequence: String
  /// The 16 lengths in metres, `H36M17.boneNames` order.
  public var boneLengths: [FrameRecord.BoneLength]
  /// Where they came from: "estimated from N frames", "file NAME", "anthropometric, 1.78 m".
  public var lengthsSource: String
  /// The 3D source made consistent (`lifted` or `world`).
  public var source: String
  /// `dcm+projection` (AITE's DCM cascade at inference, then the projection) or `projection`.
  public var method: String
  /// Whether bone directions were smoothed over time.
  public var smoothed: Bool

  /// Creates a record.
  public init(
    sequence: String, lengths: [Double], lengthsSource: String, source: String, method: String, smoothed: Bool
  ) {
    self.sequence = sequence
    boneLengths = FrameRecord.lengths(lengths)
    self.lengthsSource = lengthsSource
    self.source = source
    self.method = method
    self.smoothed = smoothed
  }

  enum CodingKeys: String, CodingKey {
    case sequence, source, method, smoothed
    case boneLengths = "bone_lengths"
    case lengthsSource = "lengths_source"
  }
}

/// How a folder given as input was taken: one tracked sequence, or images each estimated alone.
public struct FolderRecord: Codable, Sendable, Equatable {
  /// The folder.
  public var path: String
  /// Its images.
  public var frames: Int
  /// `sequence` or `images`.
  public var taken: String
  /// Why: "numbered frames of one size", "not numbered frames", "--as images", …
  public var reason: String

  /// Creates a record.
  public init(path: String, frames: Int, taken: String, reason: String) {
    self.path = path
    self.frames = frames
    self.taken = taken
    self.reason = reason
  }

  enum CodingKeys: String, CodingKey {
    case path, frames, reason
    case taken = "as"
  }
}

/// A file that could not be processed.
public struct FrameFailure: Codable, Sendable, Equatable {
  public var file: String
  public var error: String
  public init(file: String, error: String) {
    self.file = file
    self.error = error
  }
}

/// The document `posescope estimate` writes.
public struct EstimateDocument: Codable, Sendable, Equatable {
  /// The schema version of this document.
  public var schema = 1
  /// What produced it.
  public var generator = "posescope"
  /// The frames, in input order.
  public var frames: [FrameRecord]
  /// Inputs that failed, with the reason.
  public var failures: [FrameFailure]
  /// One entry per sequence (or single image) that `estimate --consistent-bones` made consistent: the
  /// subject's bone lengths its `consistent_h36m17` frames are held to, where they came from, and how.
  /// (This replaced an earlier single `subjectBoneLengths` list: documents can hold several sequences.)
  public var subjects: [SubjectRecord]?
  /// How each folder given as input was taken (absent when no folder was given).
  public var folders: [FolderRecord]?

  enum CodingKeys: String, CodingKey {
    case schema, generator, frames, failures
    case subjects, folders
  }

  public init(frames: [FrameRecord], failures: [FrameFailure]) {
    self.frames = frames
    self.failures = failures
  }

  /// Pretty-printed JSON with stable key order.
  /// Objects are indented one key per line (keys sorted); arrays of numbers, and arrays of such arrays
  /// (a landmark list), stay on one line each, so a frame reads as a screenful, not thousands of lines.
  public func json() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let compact = try e.encode(self)
    let value = try JSONDecoder().decode(JSONValue.self, from: compact)
    var out = ""
    value.write(to: &out, indent: 0)
    return Data(out.utf8)
  }

  /// One CSV row per frame; columns are stable for schema 1 (see `csvHeader`).
  public func csv() -> String {
    var lines = [Self.csvHeader.joined(separator: ",")]
    for f in frames {
      var row: [String] = [
        EstimateExport.csvField(f.file), EstimateExport.csvField(f.sequence ?? ""),
        f.frame.map(String.init) ?? "",
        f.time.map { "\($0)" } ?? "",
        String(f.width), String(f.height), f.person ? "1" : "0", f.score.map { "\($0)" } ?? "",
      ]
      func add(_ rows: [[Double]]?, _ n: Int, _ k: Int) {
        for i in 0..<n {
          for j in 0..<k {
            if let rows, i < rows.count, j < rows[i].count {
              row.append("\(rows[i][j])")
            } else {
              row.append("")
            }
          }
        }
      }
      add(f.landmarks, 33, 4)
      add(f.worldLandmarks, 33, 3)
      add(f.h36m17, 17, 3)
      add(f.boneLengths.map { $0.map { [$0.lengthM] } }, 16, 1)
      lines.append(row.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The CSV columns.
  public static let csvHeader: [String] = {
    var h = ["file", "sequence", "frame", "time_s", "width", "height", "person", "score"]
    for n in BlazePose33.names { h += ["\(n)_x", "\(n)_y", "\(n)_z", "\(n)_visibility"] }
    for n in BlazePose33.names { h += ["world_\(n)_x", "world_\(n)_y", "world_\(n)_z"] }
    for n in H36M17.names { h += ["h36m_\(n)_x", "h36m_\(n)_y", "h36m_\(n)_z"] }
    for n in H36M17.boneNames { h.append("bone_\(n)_m") }
    return h
  }()

}

/// Writes `data` to `path` atomically (FileSupport's `AtomicFile`: a temporary file in the same folder,
/// fsynced, then renamed over `path`; temporaries of killed writers are removed).
///
/// - Throws: `AtomicFileError` naming the path and the step that failed; `path` is then unchanged.
public func writeAtomically(_ data: Data, to path: String) throws {
  try data.withUnsafeBytes { raw in try AtomicFile.write(raw, to: path) }
}
