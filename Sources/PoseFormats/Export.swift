// PoseFormats: exporting an estimate document's 3D joints — reading and checking the document, choosing a
// sequence and a source, and the BVH, CSV and filtered JSON it is written as.

import FileSupport
import Foundation
import PoseCore

/// Why an export failed, naming the document.
public struct EstimateExportError: Error, CustomStringConvertible, Sendable, Equatable {
  public var description: String
  /// Creates an error.
  public init(_ description: String) { self.description = description }
}

/// The 3D joints of a frame record that can be exported, best first.
public enum ExportSource: String, CaseIterable, Sendable {
  case consistent, lifted, world

  /// The document key of the source's joints.
  public var key: String {
    switch self {
    case .consistent: return "consistent_h36m17"
    case .lifted: return "lifted_h36m17"
    case .world: return "h36m17"
    }
  }
}

/// Reading an estimate document, choosing a sequence and a 3D source, and writing them as BVH, CSV or JSON
/// (what `posescope export` does).
public enum EstimateExport {
  /// The document at `path`, or an error naming the path and the reason.
  public static func read(_ path: String) throws -> EstimateDocument {
    let data: Data
    do {
      data = Data(try BoundedRead.bytes(path, limit: 2 << 30))
    } catch {
      switch error {
      case .tooLarge: throw EstimateExportError("\(path): larger than 2 GiB")
      case .notFound: throw EstimateExportError("cannot read \(path): no such file")
      case .isDirectory: throw EstimateExportError("cannot read \(path): it is a folder")
      case .notRegularFile: throw EstimateExportError("cannot read \(path): not a regular file")
      case .unreadable(let reason, _): throw EstimateExportError("cannot read \(path): \(reason)")
      }
    }
    let document: EstimateDocument
    do { document = try JSONDecoder().decode(EstimateDocument.self, from: data) } catch {
      throw EstimateExportError("\(path) is not a posescope estimate document: \(describe(error))")
    }
    guard document.schema == 1 else {
      throw EstimateExportError("\(path) has schema \(document.schema); this posescope reads schema 1")
    }
    guard !document.frames.isEmpty else { throw EstimateExportError("\(path) has no frames") }
    return document
  }

  /// A decoding error in a line: what and where.
  public static func describe(_ error: Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    func at(_ path: [CodingKey]) -> String {
      path.isEmpty
        ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch e {
    case .dataCorrupted(let c): return "not valid JSON\(at(c.codingPath)) (\(c.debugDescription))"
    case .keyNotFound(let key, let c): return "missing key \"\(key.stringValue)\"\(at(c.codingPath))"
    case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(c.debugDescription)\(at(c.codingPath))"
    @unknown default: return "\(error)"
    }
  }

  /// The frames of one sequence (frames without a sequence form the sequence "").
  public static func select(
    _ document: EstimateDocument, sequence: String?, path: String
  ) throws -> (name: String, frames: [FrameRecord]) {
    var names: [String] = []
    for f in document.frames where !names.contains(f.sequence ?? "") { names.append(f.sequence ?? "") }
    func shown(_ n: String) -> String { n.isEmpty ? "\"\" (single images)" : n }
    let name: String
    if let sequence {
      guard names.contains(sequence) else {
        throw EstimateExportError(
          "\(path) has no sequence \"\(sequence)\"; its sequences: "
            + names.map(shown).joined(separator: ", ")
        )
      }
      name = sequence
    } else {
      guard names.count == 1, let only = names.first else {
        throw EstimateExportError(
          "\(path) has \(names.count) sequences; choose one with --sequence: "
            + names.map(shown).joined(separator: ", "))
      }
      name = only
    }
    return (name, document.frames.filter { ($0.sequence ?? "") == name })
  }

  /// The 3D sources some frame has, best first.
  public static func sourcesPresent(_ frames: [FrameRecord]) -> [String] {
    ExportSource.allCases.filter { s in frames.contains { joints($0, s) != nil } }.map(\.rawValue)
  }

  /// consistent, else lifted, else world: the first some frame has.
  public static func defaultSource(_ frames: [FrameRecord], path: String) throws -> ExportSource {
    for s in ExportSource.allCases where frames.contains(where: { joints($0, s) != nil }) { return s }
    throw EstimateExportError("\(path): no frame has 3D joints (consistent_h36m17, lifted_h36m17 or h36m17)")
  }

  /// Every frame's joints of `source` (nil for a frame without them).
  ///
  /// - Throws: `EstimateExportError` naming `path` when a frame's joints are not 17 finite triples, or no frame has
  ///   them (saying which sources the frames do have).
  public static func poses(
    _ frames: [FrameRecord], source: ExportSource, sequence name: String, path: String
  ) throws -> [[Vec3]?] {
    if let bad = frames.firstIndex(where: { isMalformed($0, source) }) {
      let index = frames[bad].frame.map(String.init) ?? "#\(bad)"
      throw EstimateExportError(
        "\(path): frame \(index) of the sequence: \(source.key) is not 17 finite [x, y, z] triples")
    }
    let poses = frames.map { joints($0, source) }
    guard poses.contains(where: { $0 != nil }) else {
      throw EstimateExportError(
        "\(path): \(name.isEmpty ? "the frames have" : "sequence \(name) has") no \(source.key) joints"
          + " (sources present: \(sourcesPresent(frames).joined(separator: ", ")))")
    }
    return poses
  }

  /// A frame's joints of `source`, nil when absent or malformed (not 17 finite triples).
  public static func joints(_ frame: FrameRecord, _ source: ExportSource) -> [Vec3]? {
    guard let rows = rows(frame, source), rows.count == H36M17.count else { return nil }
    var out: [Vec3] = []
    for r in rows {
      guard r.count == 3, r.allSatisfy(\.isFinite) else { return nil }
      out.append(Vec3(r[0], r[1], r[2]))
    }
    return out
  }

  /// The frame's raw joint rows of `source`.
  public static func rows(_ frame: FrameRecord, _ source: ExportSource) -> [[Double]]? {
    switch source {
    case .consistent: return frame.consistentH36m17
    case .lifted: return frame.liftedH36m17
    case .world: return frame.h36m17
    }
  }

  /// True when the frame has `source`'s joints but they are not 17 finite triples.
  public static func isMalformed(_ frame: FrameRecord, _ source: ExportSource) -> Bool {
    rows(frame, source) != nil && joints(frame, source) == nil
  }

  /// The subject bone lengths the document holds `sequence`'s consistent joints to, in bone order, when
  /// complete and usable.
  public static func subjectLengths(_ document: EstimateDocument, sequence: String) -> [Double]? {
    guard let named = document.subjects?.first(where: { $0.sequence == sequence })?.boneLengths else {
      return nil
    }
    var out: [Double] = []
    for name in H36M17.boneNames {
      guard let l = named.first(where: { $0.name == name })?.lengthM, l.isFinite, l > 0, l < 3 else {
        return nil
      }
      out.append(l)
    }
    return out
  }

  /// Frames per second from the median difference of `time_s`, nil without two increasing times.
  public static func frameRate(_ frames: [FrameRecord]) -> Double? {
    let times = frames.compactMap(\.time)
    guard times.count >= 2 else { return nil }
    let steps = zip(times.dropFirst(), times).map { $0 - $1 }.filter { $0 > 0 && $0.isFinite }.sorted()
    guard !steps.isEmpty else { return nil }
    let median = steps[steps.count / 2]
    return 1 / median
  }

  /// Mean and largest (over bones) standard deviation of each bone's length across the frames (metres).
  public static func boneLengthStd(_ poses: [[Vec3]?]) -> (mean: Double, max: Double) {
    var stds: [Double] = []
    for bone in H36M17.bones {
      let ls = poses.compactMap { $0.map { $0[bone.child].distance(to: $0[bone.parent]) } }
      guard ls.count >= 2 else { continue }
      let mean = ls.reduce(0, +) / Double(ls.count)
      stds.append((ls.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(ls.count)).squareRoot())
    }
    guard !stds.isEmpty else { return (0, 0) }
    return (stds.reduce(0, +) / Double(stds.count), stds.max() ?? 0)
  }

  /// The export CSV columns.
  public static let csvHeader: [String] = {
    var h = ["file", "frame", "time_s", "person"]
    for n in H36M17.names { h += ["\(n)_x", "\(n)_y", "\(n)_z"] }
    return h
  }()

  /// One row per frame; empty joint cells for frames without the source's joints.
  public static func csv(frames: [FrameRecord], poses: [[Vec3]?]) -> String {
    var lines = [csvHeader.joined(separator: ",")]
    for (f, pose) in zip(frames, poses) {
      var row = [
        csvField(f.file), f.frame.map(String.init) ?? "", f.time.map { "\($0)" } ?? "",
        f.person ? "1" : "0",
      ]
      if let pose {
        for p in pose { row += [p.x, p.y, p.z].map(number) }
      } else {
        row += [String](repeating: "", count: 3 * H36M17.count)
      }
      lines.append(row.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A coordinate in metres with 6 decimals (the document's precision), trailing zeros dropped.
  public static func number(_ v: Double) -> String {
    var s = String(format: "%.6f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
  }

  /// A CSV cell, quoted when it holds a comma, quote or newline.
  public static func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// The document reduced to one sequence's frames, the 2D and the chosen 3D source.
  public static func filtered(
    _ document: EstimateDocument, frames: [FrameRecord], sequence: String, source: ExportSource
  ) -> EstimateDocument {
    let out = frames.map { f -> FrameRecord in
      var r = f
      if source != .world {
        r.worldLandmarks = nil
        r.h36m17 = nil
        r.boneLengths = nil
      }
      if source != .lifted {
        r.liftedH36m17 = nil
        r.liftedBoneLengths = nil
      }
      if source != .consistent {
        r.consistentH36m17 = nil
        r.consistentSource = nil
      }
      return r
    }
    let failures = document.failures.filter { failure in
      sequence.isEmpty
        ? !document.frames.contains { f in f.sequence.map { failure.file.hasPrefix($0) } ?? false }
        : failure.file == sequence || failure.file.hasPrefix(sequence + "/")
          || failure.file.hasPrefix(sequence + "#")
    }
    var doc = EstimateDocument(frames: out, failures: failures)
    doc.schema = document.schema
    doc.generator = document.generator
    if source == .consistent {
      let names = Set(out.map { $0.sequence ?? $0.file })
      doc.subjects = document.subjects?.filter { names.contains($0.sequence) }
    }
    return doc
  }

  /// BVH bytes of the sequence: lengths, projection, frame rate, fill of frames without a person.
  /// BVH text of a sequence's `poses` (its `frames`' joints of `source`): the bone lengths are the
  /// document's subject lengths for consistent joints, else estimated robustly from the poses, and every
  /// pose is held to them (directions kept); frames without a person hold the previous pose. `fps` nil:
  /// from the frames' times, else 30. `note` is told what was done to the data (for standard error).
  ///
  /// - Throws: `EstimateExportError` naming `path` when the lengths cannot be estimated or the BVH not written.
  public static func bvh(
    document: EstimateDocument, frames: [FrameRecord], poses: [[Vec3]?], source: ExportSource, path: String,
    fps: Double?, unit: BVHUnit, note: (String) -> Void = { _ in }
  ) throws -> String {
    let lengths: [Double]
    // Single images each have their own subject record: their lengths are estimated over all of them.
    if source == .consistent, let name = frames.first?.sequence,
      let subject = subjectLengths(document, sequence: name)
    {
      lengths = subject
    } else {
      do { lengths = try SubjectBoneLengths.estimate(frames: poses).lengths } catch {
        throw EstimateExportError(
          "\(path): cannot estimate bone lengths of the \(source.key) joints: \(error)")
      }
    }
    var projected: [[Vec3]?] = []
    for pose in poses {
      guard let pose else {
        projected.append(nil)
        continue
      }
      do { projected.append(try BoneLengthProjection.project(pose, lengths: lengths)) } catch {
        throw EstimateExportError("\(path): cannot hold a pose to the bone lengths: \(error)")
      }
    }
    if source != .consistent {
      let std = boneLengthStd(poses)
      note(
        String(
          format:
            "%@ joints held to the sequence's robust bone lengths (directions kept): removed a bone-length "
            + "std of %.1f mm (mean over bones; largest %.1f mm)", source.key, std.mean * 1000, std.max * 1000
        ))
    }
    let filled = poses.count(where: { $0 == nil })
    if filled > 0 {
      let before = poses.firstIndex { $0 != nil } ?? 0
      note(
        "\(filled) of \(poses.count) frames have no person: they hold the previous pose"
          + (before > 0 ? " (\(before) before the first person hold the rest pose)" : ""))
    }
    let rate = fps ?? frameRate(frames) ?? 30
    let text: String
    do {
      text = try BVHWriter.write(frames: projected, lengths: lengths, frameTime: 1 / rate, unit: unit)
    } catch {
      throw EstimateExportError("\(path): cannot write BVH: \(error)")
    }
    return text
  }
}
