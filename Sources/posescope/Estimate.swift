// posescope: `estimate` — images, frame folders and videos in, 2D + 3D pose per frame out (JSON or CSV).
import ArgumentParser
import Foundation
import MediaIO
import PoseCore
import PoseEstimation
import PoseTraining

struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Estimate 2D and 3D pose in images, frame folders and videos.",
    discussion: """
      Each PATH is an image (PNG or JPEG), a folder of frames (one tracked sequence, in natural order) or
      a video file (mp4, mov, mkv, webm, …; read through ffmpeg, one tracked sequence).
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

  func validate() throws {
    guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be between 1 and 64") }
    if boneLengths != nil && height != nil {
      throw ValidationError("give --bone-lengths or --height, not both")
    }
  }

  func run() throws {
    let models = try loadModels(threads: threads)
    let liftModel =
      try noLifter
      ? nil
      : ShippedLifter.locate(explicit: lifter).map {
        try ShippedLifter.load($0, height: height)
      }
    let still = try BlazePoseEstimator(
      detector: models.detector, landmarker: models.landmarker, options: .init(staticImageMode: true))
    var videoOptions = BlazePoseEstimator.Options()
    videoOptions.staticImageMode = false
    videoOptions.smoothLandmarks = smooth
    let video = try BlazePoseEstimator(
      detector: models.detector, landmarker: models.landmarker, options: videoOptions)

    var frames: [FrameRecord] = []
    var failures: [FrameFailure] = []
    for path in paths {
      var isDir: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
      if exists && !isDir.boolValue && VideoReader.isVideo(path) {
        estimateVideo(path, with: video, frames: &frames, failures: &failures)
      } else if exists && isDir.boolValue {
        let files: [String]
        do { files = try FrameFolder.list(path) } catch {
          failures.append(FrameFailure(file: path, error: "\(error)"))
          continue
        }
        video.reset()
        let bar = ProgressBar(total: files.count, label: path, enabled: !quiet)
        for (i, file) in files.enumerated() {
          bar.update(i, file: file)
          do {
            let image = try ImageDecoder.load(path: file)
            let r = try video.process(image)
            frames.append(
              FrameRecord(
                file: file, sequence: path, frame: i, width: image.width, height: image.height, result: r))
          } catch {
            video.reset()
            failures.append(FrameFailure(file: file, error: "\(error)"))
          }
        }
        bar.finish()
      } else {
        do {
          let image = try ImageDecoder.load(path: path)
          let r = try still.process(image)
          frames.append(FrameRecord(file: path, width: image.width, height: image.height, result: r))
        } catch {
          failures.append(FrameFailure(file: path, error: "\(error)"))
        }
      }
    }
    if let liftModel {
      for i in frames.indices {
        guard let points = frames[i].h36m17Image else { continue }
        frames[i].attachLifted(ShippedLifter.lift(liftModel, points.map { SIMD2($0[0], $0[1]) }))
      }
    }
    var doc = EstimateDocument(frames: frames, failures: failures)
    if consistentBones || boneLengths != nil || height != nil {
      try makeConsistent(&doc, lifter: liftModel)
    }
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
    for f in failures { printError("\(f.error)") }
    if !failures.isEmpty {
      printError("\(failures.count) of \(failures.count + frames.count) inputs failed")
      throw ExitCode(1)
    }
  }
}

extension Estimate {
  /// Adds `consistent_h36m17` to every frame with a pose and one `subjects` entry per sequence (a single
  /// image is its own sequence).
  func makeConsistent(_ doc: inout EstimateDocument, lifter: TrainedLifter?) throws {
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
      adjuster = lifter.flatMap(ShippedLifter.adjuster)
      if boneMethod == .dcm && adjuster == nil {
        if let lifter, lifter.supervised == nil {
          throw CLIError(
            "--bone-method dcm needs a supervised lifter with a DCM cascade; this is an \(lifter.summary)")
        }
        throw CLIError(
          "--bone-method dcm needs a lifter with a trained adjustment network (train --aite-stages K ≥ 1)")
      }
    }
    // Groups in first-seen order: a sequence's frames, or one image.
    var order: [String] = []
    var members: [String: [Int]] = [:]
    for (i, f) in doc.frames.enumerated() {
      let key = f.sequence ?? f.file
      if members[key] == nil { order.append(key) }
      members[key, default: []].append(i)
    }
    var subjects: [SubjectRecord] = []
    for key in order {
      let indices = members[key] ?? []
      let useLifted = indices.contains { doc.frames[$0].liftedH36m17 != nil }
      let poses: [[Vec3]?] = indices.map { i in
        let rows = useLifted ? doc.frames[i].liftedH36m17 : doc.frames[i].h36m17
        return rows.flatMap { r in r.count == H36M17.count ? r.map { Vec3($0[0], $0[1], $0[2]) } : nil }
      }
      // H36M-17 joint weights: the BlazePose visibilities (4th value of each landmark row) mapped.
      let weights: [[Double]?] = indices.map { i in
        doc.frames[i].landmarks.flatMap { lm in
          try? BlazePoseToH36M.mapVisibility(lm.map { $0.count > 3 ? $0[3] : 0 })
        }
      }
      let times = indices.map { i in doc.frames[i].time ?? Double(doc.frames[i].frame ?? 0) / 30 }
      let made: (lengths: SubjectBoneLengths, poses: [[Vec3]?], method: ConsistentBones.Method)
      do {
        made = try ConsistentBones.sequence(
          poses, weights: weights, times: times, lengths: given, adjuster: useLifted ? adjuster : nil,
          smooth: smoothBones)
      } catch {
        printError("\(key): no consistent bones (\(error))")
        continue
      }
      let source = useLifted ? "lifted" : "world"
      for (i, pose) in zip(indices, made.poses) { doc.frames[i].attachConsistent(pose, source: source) }
      subjects.append(
        SubjectRecord(
          sequence: key, lengths: made.lengths.lengths, lengthsSource: made.lengths.source, source: source,
          method: made.method.rawValue, smoothed: smoothBones))
    }
    doc.subjects = subjects
  }

  /// Runs the tracker over every frame of a video, appending records (with times) or one failure.
  func estimateVideo(
    _ path: String, with video: BlazePoseEstimator, frames: inout [FrameRecord],
    failures: inout [FrameFailure]
  ) {
    let reader: VideoReader
    do { reader = try VideoReader(path: path) } catch {
      failures.append(FrameFailure(file: path, error: "\(error)"))
      return
    }
    video.reset()
    let bar = ProgressBar(total: reader.info.frameCount ?? 0, label: path, enabled: !quiet)
    var i = 0
    while true {
      do {
        guard let image = try reader.nextFrame() else { break }
        bar.update(i, file: "frame \(i + 1)")
        let r = try video.process(image)
        frames.append(
          FrameRecord(
            file: path, sequence: path, frame: i, time: Double(i) / reader.info.fps, width: image.width,
            height: image.height, result: r))
        i += 1
      } catch {
        failures.append(FrameFailure(file: "\(path)#\(i)", error: "\(error)"))
        break
      }
    }
    bar.finish()
  }
}

/// Loads the two BlazePose models, turning a missing model into a one-line error.
func loadModels(threads: Int) throws -> (detector: TensorModel, landmarker: TensorModel) {
  do {
    let m = try ModelStore.loadBlazePose(threads: threads)
    return (m.detector, m.landmarker)
  } catch {
    throw CLIError("\(error)")
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
