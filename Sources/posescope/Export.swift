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
  typealias Source = ExportSource
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
    let document = try EstimateExport.read(input)
    let (name, frames) = try EstimateExport.select(document, sequence: sequence, path: input)
    let chosen = try source ?? EstimateExport.defaultSource(frames, path: input)
    let poses = try EstimateExport.poses(frames, source: chosen, sequence: name, path: input)
    let data: Data
    switch format {
    case .bvh:
      data = Data(
        try EstimateExport.bvh(
          document: document, frames: frames, poses: poses, source: chosen, path: input, fps: fps,
          unit: bvhUnit,
          note: printError
        ).utf8)
    case .csv: data = Data(EstimateExport.csv(frames: frames, poses: poses).utf8)
    case .json:
      data =
        try EstimateExport.filtered(document, frames: frames, sequence: name, source: chosen).json()
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

  var bvhUnit: BVHUnit {
    switch unit {
    case .cm: return .centimetre
    case .m: return .metre
    case .mm: return .millimetre
    }
  }
}

extension ExportSource: ExpressibleByArgument {}
