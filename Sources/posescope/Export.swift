// posescope: `export` — an `estimate` document's 3D joints out as BVH motion capture, a wide CSV or a
// filtered JSON document.
import ArgumentParser
import Foundation
import PoseScope

struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Export the 3D joints of an estimate document as BVH, CSV or JSON.",
    discussion: """
      INPUT is a JSON document written by `posescope estimate`. One sequence is exported (a document with
      several needs --sequence). The 3D source is consistent_h36m17 when the document has it, else
      lifted_h36m17, else the BlazePose h36m17 joints (--source to choose).
      bvh: a Y-up skeleton (CMU-style joint names) whose rest offsets are the subject's bone lengths and
      whose rotations reproduce every frame's joints; lifted/world poses are first held to the sequence's
      robust bone lengths (directions kept). Frames without a person hold the previous pose.
      csv: one row per frame, file,frame,time_s,person and x,y,z of the 17 H36M joints in metres.
      json: the document reduced to the sequence and source (schema 1). See docs/FORMATS.md.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable { case bvh, csv, json }
  enum Source: String, ExpressibleByArgument, CaseIterable { case consistent, lifted, world }
  enum Unit: String, ExpressibleByArgument, CaseIterable { case cm, m, mm }

  @Argument(help: "An estimate JSON document.")
  var input: String

  @Option(help: "Output format: bvh, csv or json.")
  var format: Format

  @Option(help: "3D source: consistent, lifted or world (default: the first the document has).")
  var source: Source?

  @Option(help: "The sequence to export (required when the document has several).")
  var sequence: String?

  @Option(help: "Frames per second (default: from the frames' time_s, else 30).")
  var fps: Double?

  @Option(help: "BVH length unit: cm, m or mm.")
  var unit: Unit = .cm

  @Option(name: .shortAndLong, help: "The file to write (atomically); standard output when not given or -.")
  var output: String?

  func validate() throws {
    if let fps, !(fps.isFinite && fps > 0 && fps <= 10_000) {
      throw ValidationError("--fps must be a positive number of frames per second (at most 10000)")
    }
  }

  func run() throws {
    let output = self.output == "-" ? nil : self.output
    if let output {
      let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
      else {
        throw CLIError("cannot write \(output): the folder \(folder) does not exist")
      }
    }
    let document = try ExportInput.read(input)
    let (name, frames) = try ExportInput.select(document, sequence: sequence, path: input)
    let chosen = try source ?? ExportInput.defaultSource(frames, path: input)
    if let bad = frames.firstIndex(where: { ExportInput.isMalformed($0, chosen) }) {
      let index = frames[bad].frame.map(String.init) ?? "#\(bad)"
      throw CLIError(
        "\(input): frame \(index) of the sequence: \(chosen.key) is not"
          + " 17 finite [x, y, z] triples")
    }
    let poses = frames.map { ExportInput.joints($0, chosen) }
    guard poses.contains(where: { $0 != nil }) else {
      throw CLIError(
        "\(input): \(name.isEmpty ? "the frames have" : "sequence \(name) has") no \(chosen.key) joints"
          + " (sources present: \(ExportInput.sourcesPresent(frames).joined(separator: ", ")))")
    }
    let data: Data
    switch format {
    case .bvh: data = try bvh(document: document, frames: frames, poses: poses, source: chosen)
    case .csv: data = Data(ExportInput.csv(frames: frames, poses: poses).utf8)
    case .json:
      data =
        try ExportInput.filtered(document, frames: frames, sequence: name, source: chosen).json()
        + Data("\n".utf8)
    }
    guard let output else {
      FileHandle.standardOutput.write(data)
      return
    }
    do { try writeAtomically(data, to: output) } catch {
      throw CLIError("cannot write \(output): \((error as NSError).localizedDescription)")
    }
  }

  /// BVH bytes of the sequence: lengths, projection, frame rate, fill of frames without a person.
  func bvh(document: EstimateDocument, frames: [FrameRecord], poses: [[Vec3]?], source: Source) throws -> Data
  {
    let lengths: [Double]
    // Single images each have their own subject record: their lengths are estimated over all of them.
    if source == .consistent, let name = frames.first?.sequence,
      let subject = ExportInput.subjectLengths(document, sequence: name)
    {
      lengths = subject
    } else {
      do { lengths = try SubjectBoneLengths.estimate(frames: poses).lengths } catch {
        throw CLIError("\(input): cannot estimate bone lengths of the \(source.key) joints: \(error)")
      }
    }
    var projected: [[Vec3]?] = []
    for pose in poses {
      guard let pose else {
        projected.append(nil)
        continue
      }
      do { projected.append(try BoneLengthProjection.project(pose, lengths: lengths)) } catch {
        throw CLIError("\(input): cannot hold a pose to the bone lengths: \(error)")
      }
    }
    if source != .consistent {
      let std = ExportInput.boneLengthStd(poses)
      printError(
        String(
          format:
            "%@ joints held to the sequence's robust bone lengths (directions kept): removed a bone-length "
            + "std of %.1f mm (mean over bones; largest %.1f mm)", source.key, std.mean * 1000, std.max * 1000
        ))
    }
    let filled = poses.count(where: { $0 == nil })
    if filled > 0 {
      let before = poses.firstIndex { $0 != nil } ?? 0
      printError(
        "\(filled) of \(poses.count) frames have no person: they hold the previous pose"
          + (before > 0 ? " (\(before) before the first person hold the rest pose)" : ""))
    }
    let rate = fps ?? ExportInput.frameRate(frames) ?? 30
    let text: String
    do {
      text = try BVHWriter.write(frames: projected, lengths: lengths, frameTime: 1 / rate, unit: bvhUnit)
    } catch {
      throw CLIError("\(input): cannot write BVH: \(error)")
    }
    return Data(text.utf8)
  }

  var bvhUnit: BVHUnit {
    switch unit {
    case .cm: return .centimetre
    case .m: return .metre
    case .mm: return .millimetre
    }
  }
}

extension Export.Source {
  /// The document key of the source's joints.
  var key: String {
    switch self {
    case .consistent: return "consistent_h36m17"
    case .lifted: return "lifted_h36m17"
    case .world: return "h36m17"
    }
  }
}

/// Reading, selecting and reshaping an estimate document for `export`.
enum ExportInput {
  /// The document at `path`, or an error naming the path and the reason.
  static func read(_ path: String) throws -> EstimateDocument {
    let data: Data
    do {
      let attributes = try FileManager.default.attributesOfItem(atPath: path)
      if let size = attributes[.size] as? NSNumber, size.int64Value > 2 << 30 {
        throw CLIError("\(path): larger than 2 GiB")
      }
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch let error as CLIError {
      throw error
    } catch {
      guard FileManager.default.fileExists(atPath: path) else {
        throw CLIError("cannot read \(path): no such file")
      }
      throw CLIError("cannot read \(path): \((error as NSError).localizedDescription)")
    }
    let document: EstimateDocument
    do { document = try JSONDecoder().decode(EstimateDocument.self, from: data) } catch {
      throw CLIError("\(path) is not a posescope estimate document: \(describe(error))")
    }
    guard document.schema == 1 else {
      throw CLIError("\(path) has schema \(document.schema); this posescope reads schema 1")
    }
    guard !document.frames.isEmpty else { throw CLIError("\(path) has no frames") }
    return document
  }

  /// A decoding error in a line: what and where.
  static func describe(_ error: Error) -> String {
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
  static func select(
    _ document: EstimateDocument, sequence: String?, path: String
  ) throws -> (name: String, frames: [FrameRecord]) {
    var names: [String] = []
    for f in document.frames where !names.contains(f.sequence ?? "") { names.append(f.sequence ?? "") }
    func shown(_ n: String) -> String { n.isEmpty ? "\"\" (single images)" : n }
    let name: String
    if let sequence {
      guard names.contains(sequence) else {
        throw CLIError(
          "\(path) has no sequence \"\(sequence)\"; its sequences: "
            + names.map(shown).joined(separator: ", ")
        )
      }
      name = sequence
    } else {
      guard names.count == 1, let only = names.first else {
        throw CLIError(
          "\(path) has \(names.count) sequences; choose one with --sequence: "
            + names.map(shown).joined(separator: ", "))
      }
      name = only
    }
    return (name, document.frames.filter { ($0.sequence ?? "") == name })
  }

  /// The 3D sources some frame has, best first.
  static func sourcesPresent(_ frames: [FrameRecord]) -> [String] {
    Export.Source.allCases.filter { s in frames.contains { joints($0, s) != nil } }.map(\.rawValue)
  }

  /// consistent, else lifted, else world: the first some frame has.
  static func defaultSource(_ frames: [FrameRecord], path: String) throws -> Export.Source {
    for s in Export.Source.allCases where frames.contains(where: { joints($0, s) != nil }) { return s }
    throw CLIError("\(path): no frame has 3D joints (consistent_h36m17, lifted_h36m17 or h36m17)")
  }

  /// A frame's joints of `source`, nil when absent or malformed (not 17 finite triples).
  static func joints(_ frame: FrameRecord, _ source: Export.Source) -> [Vec3]? {
    guard let rows = rows(frame, source), rows.count == H36M17.count else { return nil }
    var out: [Vec3] = []
    for r in rows {
      guard r.count == 3, r.allSatisfy(\.isFinite) else { return nil }
      out.append(Vec3(r[0], r[1], r[2]))
    }
    return out
  }

  /// The frame's raw joint rows of `source`.
  static func rows(_ frame: FrameRecord, _ source: Export.Source) -> [[Double]]? {
    switch source {
    case .consistent: return frame.consistentH36m17
    case .lifted: return frame.liftedH36m17
    case .world: return frame.h36m17
    }
  }

  /// True when the frame has `source`'s joints but they are not 17 finite triples.
  static func isMalformed(_ frame: FrameRecord, _ source: Export.Source) -> Bool {
    rows(frame, source) != nil && joints(frame, source) == nil
  }

  /// The subject bone lengths the document holds `sequence`'s consistent joints to, in bone order, when
  /// complete and usable.
  static func subjectLengths(_ document: EstimateDocument, sequence: String) -> [Double]? {
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
  static func frameRate(_ frames: [FrameRecord]) -> Double? {
    let times = frames.compactMap(\.time)
    guard times.count >= 2 else { return nil }
    let steps = zip(times.dropFirst(), times).map { $0 - $1 }.filter { $0 > 0 && $0.isFinite }.sorted()
    guard !steps.isEmpty else { return nil }
    let median = steps[steps.count / 2]
    return 1 / median
  }

  /// Mean and largest (over bones) standard deviation of each bone's length across the frames (metres).
  static func boneLengthStd(_ poses: [[Vec3]?]) -> (mean: Double, max: Double) {
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
  static let csvHeader: [String] = {
    var h = ["file", "frame", "time_s", "person"]
    for n in H36M17.names { h += ["\(n)_x", "\(n)_y", "\(n)_z"] }
    return h
  }()

  /// One row per frame; empty joint cells for frames without the source's joints.
  static func csv(frames: [FrameRecord], poses: [[Vec3]?]) -> String {
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
  static func number(_ v: Double) -> String {
    var s = String(format: "%.6f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
  }

  /// A CSV cell, quoted when it holds a comma, quote or newline.
  static func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// The document reduced to one sequence's frames, the 2D and the chosen 3D source.
  static func filtered(
    _ document: EstimateDocument, frames: [FrameRecord], sequence: String, source: Export.Source
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
}
