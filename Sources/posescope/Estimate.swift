// posescope: `estimate` — images, frame folders and videos in, 2D + 3D pose per frame out (JSON or CSV).
import ArgumentParser
import Foundation
import PoseScope
import PoseTraining

struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Estimate 2D and 3D pose in images, frame folders and videos.",
    discussion: """
      Each PATH is an image (PNG or JPEG), a folder of images or a video file (mp4, mov, mkv, webm, …;
      read through ffmpeg, one tracked sequence). A folder is one tracked sequence (in natural order) when
      its files are numbered frames of one size, else each image is estimated alone (--as to choose); the
      output's "folders" and standard error say which.
      Writes one record per frame: file, image size, person score, 33 image landmarks in pixels with
      visibility, 33 world landmarks in metres, H36M-17 joints and bone lengths. Files that fail are
      listed under "failures" and the exit status is 1; the others are still processed. When a trained
      lifter is found (the shipped assets/lifter file, $POSESCOPE_LIFTER or --lifter), each frame also gets
      lifted_h36m17: the lifter's 3D joints from the H36M-17 image joints.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable { case json, csv }

  @Argument(help: "Images, frame folders and/or videos.")
  var paths: [String]

  @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
  var output: String?

  @Option(help: "Output format: json or csv.")
  var format: Format = .json

  @Flag(name: .shortAndLong, help: "No progress bar on standard error.")
  var quiet = false

  @Option(help: "OpenBLAS threads.")
  var threads: Int = 1

  @Flag(
    inversion: .prefixedNo,
    help: "In folders and videos, smooth landmarks over time as MediaPipe does (on by default).")
  var smooth = true

  @Option(
    help: ArgumentHelp(
      "A trained lifter to add lifted 3D joints (default: the shipped assets/lifter file).",
      discussion:
        "Any file `posescope train` writes: a supervised lifter, or an unsupervised one (train --unsupervised), "
        + "whose poses are scaled to a --height (default 1.7 m) body."))
  var lifter: String?

  @Flag(help: "Do not run the lifter.")
  var noLifter = false

  @Flag(
    name: .customLong("consistent-bones"),
    help:
      "Add consistent_h36m17: every frame of a sequence held to one set of bone lengths (the subject's, estimated robustly from the sequence unless --bone-lengths or --height gives them)."
  )
  var consistentBones = false

  @Option(
    name: .customLong("bone-lengths"),
    help: "JSON file of the subject's 16 H36M-17 bone lengths (implies --consistent-bones; see README).")
  var boneLengths: String?

  @Option(
    help:
      "The subject's height in metres: bone lengths from anthropometric proportions (implies --consistent-bones)."
  )
  var height: Double?

  @Option(
    name: .customLong("bone-method"),
    help:
      "auto (the lifter's DCM cascade then projection when it has one, else projection), dcm or projection.")
  var boneMethod: BoneMethod = .auto

  @Flag(
    name: .customLong("smooth-bones"), inversion: .prefixedNo,
    help:
      "With --consistent-bones: smooth bone directions over time in folders and videos (one-euro); lengths stay exact."
  )
  var smoothBones = true

  enum BoneMethod: String, ExpressibleByArgument, CaseIterable { case auto, dcm, projection }

  @Option(name: .customLong("as"), help: SequenceMode.help)
  var taken: SequenceMode = .auto

  func validate() throws {
    guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be between 1 and 64") }
    if boneLengths != nil && height != nil {
      throw ValidationError("give --bone-lengths or --height, not both")
    }
  }

  func run() throws {
    let liftModel = try noLifter ? nil : loadLifter(explicit: lifter, height: height)
    let consistent = try consistentSettings(lifter: liftModel)
    let pipeline: Pipeline
    do {
      pipeline = try Pipeline(
        PipelineOptions(
          threads: threads, smoothLandmarks: smooth, lifter: liftModel?.poseLifter,
          sequenceMode: taken))
    } catch {
      throw CLIError("\(error)")
    }
    var bar: ProgressBar?
    let run = pipeline.run(paths) { event in
      switch event {
      case .start(let item, let total):
        if item.isFolder, !quiet {
          let how =
            item.tracked
            ? "\(item.frameCount) frames, one tracked sequence"
            : "\(item.frameCount) images, each estimated alone"
          let why = item.trackingReason ?? ""
          printError("\(item.path): \(how) (\(why.hasPrefix("--as") ? why : why + "; --as to choose"))")
        }
        if item.isSequence { bar = ProgressBar(total: total, label: item.path, enabled: !quiet) }
      case .frame(let index, let name): bar?.update(index, file: name)
      case .finish:
        bar?.finish()
        bar = nil
      }
    }
    let doc = run.document(consistent: consistent) { printError($0) }
    let data: Data
    switch format {
    case .json: data = try doc.json() + Data("\n".utf8)
    case .csv: data = Data(doc.csv().utf8)
    }
    if let output {
      do { try writeAtomically(data, to: output) } catch {
        throw CLIError("cannot write \(output): \(error)")
      }
    } else {
      FileHandle.standardOutput.write(data)
    }
    for f in run.failures { printError("\(f.error)") }
    if !run.failures.isEmpty {
      printError("\(run.failures.count) of \(run.failures.count + run.frames.count) inputs failed")
      throw ExitCode(1)
    }
  }
}

extension Estimate {
  /// The consistent-bones settings of the options (nil when not asked for): the subject's lengths from
  /// --bone-lengths or --height, the lifter's DCM cascade unless --bone-method projection.
  func consistentSettings(lifter: Lifter?) throws -> ConsistentBones.Settings? {
    guard consistentBones || boneLengths != nil || height != nil else { return nil }
    let given: SubjectBoneLengths?
    do {
      given =
        try boneLengths.map { try SubjectBoneLengths.read(path: $0) }
        ?? height.map(SubjectBoneLengths.fromHeight)
    } catch {
      throw CLIError("\(error)")
    }
    var adjuster: BoneAdjuster? = nil
    if boneMethod != .projection {
      adjuster = lifter?.boneAdjuster
      if boneMethod == .dcm && adjuster == nil {
        if let lifter, lifter.kind == .unsupervised {
          throw CLIError(
            "--bone-method dcm needs a supervised lifter with a DCM cascade; this is an \(lifter.summary)")
        }
        throw CLIError(
          "--bone-method dcm needs a lifter with a trained adjustment network (train --aite-stages K ≥ 1)")
      }
    }
    return ConsistentBones.Settings(lengths: given, adjuster: adjuster, smooth: smoothBones)
  }
}

/// A one-line error for the user; ArgumentParser prints it as `Error: …` and exits 1.
struct CLIError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

func printError(_ s: String) {
  FileHandle.standardError.write(Data(("posescope: " + s + "\n").utf8))
}

/// A one-line progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar {
  let total: Int, label: String, enabled: Bool
  let start = Date()

  init(total: Int, label: String, enabled: Bool) {
    self.total = total
    self.label = label
    self.enabled = enabled && isatty(2) == 1
  }

  func update(_ i: Int, file: String) {
    guard enabled else { return }
    let width = 30
    let done = total > 0 ? width * i / total : width
    let elapsed = Date().timeIntervalSince(start)
    let fps = elapsed > 0 ? Double(i) / elapsed : 0
    let name = (file as NSString).lastPathComponent
    let bar = String(repeating: "█", count: done) + String(repeating: "░", count: width - done)
    let line = String(format: "\r%@ %d/%d %.1f fps %@", bar, i + 1, total, fps, name)
    FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
  }

  func finish() {
    guard enabled else { return }
    let elapsed = Date().timeIntervalSince(start)
    let line = String(format: "\r%@: %d frames in %.1f s\u{1B}[K\n", label, total, elapsed)
    FileHandle.standardError.write(Data(line.utf8))
  }
}

extension SequenceMode: ExpressibleByArgument {
  /// The help of `--as` (estimate and view).
  static let help = ArgumentHelp(
    "How folders are taken: auto (one tracked sequence when its files are numbered frames of one size, else "
      + "images each estimated alone), sequence or images.")
}
