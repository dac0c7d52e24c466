// PoseScope: the pipeline — images, frame folders and videos in, a `PoseFrame` per frame out, in one call;
// the estimate document (with consistent bones) built from its frames.

import Foundation
import MediaIO
import PoseCore
import PoseEstimation
import PoseFormats

/// A frame the pipeline estimated, with where it came from.
public struct EstimatedFrame: Sendable {
  /// The item it belongs to (index into `PipelineRun.items`).
  public var item: Int
  /// The image file, or the video for a video frame.
  public var file: String
  /// The folder or video of a tracked sequence; nil for an image estimated alone.
  public var sequence: String?
  /// The 0-based index in the sequence (nil for an image estimated alone).
  public var index: Int?
  /// Seconds from the start of a video (videos only).
  public var time: Double?
  /// What was found.
  public var frame: PoseFrame

  /// The schema-1 record of this frame.
  public var record: FrameRecord { frame.record(file: file, sequence: sequence, frame: index, time: time) }
}

extension MediaItem {
  /// Frame `f` of this item (item number `itemIndex`) as the output names it: the image file (or the video),
  /// and for a tracked sequence its name, the frame's index and (videos) its time.
  public func estimated(_ frame: PoseFrame, at f: Int, itemIndex: Int) -> EstimatedFrame {
    EstimatedFrame(
      item: itemIndex, file: framePath(f) ?? path, sequence: isTrackedSequence ? path : nil,
      index: isTrackedSequence ? f : nil, time: time(ofFrame: f), frame: frame)
  }

  /// The failure of frame `f` of this item: a video's frames are named `video.mp4#f`.
  public func failure(_ error: String, at f: Int) -> FrameFailure {
    FrameFailure(
      file: isVideo ? (problem == nil ? "\(path)#\(f)" : path) : (framePath(f) ?? path), error: error)
  }
}

/// What a pipeline run over some inputs produced: the items, the frames in input order, the failures.
public struct PipelineRun: Sendable {
  /// The inputs as items (folders with their decision: one tracked sequence or images).
  public var items: [MediaItem]
  /// Every frame that could be read and estimated, in input order.
  public var frames: [EstimatedFrame] = []
  /// Inputs and frames that failed, with the reason.
  public var failures: [FrameFailure] = []

  /// A run of `items` with its frames and failures.
  public init(items: [MediaItem], frames: [EstimatedFrame] = [], failures: [FrameFailure] = []) {
    self.items = items
    self.frames = frames
    self.failures = failures
  }

  /// The `estimate` document: one record per frame, the failures, the folders' decisions and, with
  /// `consistent`, every sequence (or single image) held to one set of bone lengths.
  ///
  /// - Parameter warn: told about a sequence that could not be made consistent (some bone never seen).
  public func document(
    consistent: ConsistentBones.Settings? = nil, warn: (String) -> Void = { _ in }
  ) -> EstimateDocument {
    var records = frames.map(\.record)
    var document = EstimateDocument(frames: records, failures: failures)
    let folders = items.filter(\.isFolder).filter { $0.problem == nil }
    if !folders.isEmpty {
      document.folders = folders.map {
        FolderRecord(
          path: $0.path, frames: $0.frameCount, taken: $0.tracked ? "sequence" : "images",
          reason: $0.trackingReason ?? "")
      }
    }
    guard let consistent else { return document }
    var subjects: [SubjectRecord] = []
    for group in sequences() {
      let times = group.map { frames[$0].time ?? Double(frames[$0].index ?? 0) / 30 }
      let name = frames[group[0]].sequence ?? frames[group[0]].file
      do {
        let made = try ConsistentBones.sequence(
          group.map { frames[$0].frame }, name: name, times: times, settings: consistent)
        for (i, pose) in zip(group, made.poses) {
          records[i].attachConsistent(pose, source: made.source.recordName)
        }
        subjects.append(made.subject)
      } catch {
        warn("\(name): no consistent bones (\(error))")
      }
    }
    document.frames = records
    document.subjects = subjects
    return document
  }

  /// The indices of `frames` grouped by sequence (a tracked sequence's frames, or one image alone), in
  /// first-seen order.
  func sequences() -> [[Int]] {
    var groups: [[Int]] = []
    var open: [String: Int] = [:]
    for (i, f) in frames.enumerated() {
      guard let sequence = f.sequence else {
        groups.append([i])
        continue
      }
      if let g = open[sequence] {
        groups[g].append(i)
      } else {
        open[sequence] = groups.count
        groups.append([i])
      }
    }
    return groups
  }
}

/// The pipeline: media in, one `PoseFrame` per frame out.
///
/// ```swift
/// let frames = try Pipeline().estimate("bus.jpg")
/// ```
///
/// An image is estimated alone; a folder is one tracked sequence when its files are numbered frames of one
/// size, else a set of images (`PipelineOptions.sequenceMode`); a video (through ffmpeg) is one tracked
/// sequence. Every frame goes through one `FrameEstimator`: the same code the viewer's background
/// estimation runs. Not thread-safe: use it from one thread.
public final class Pipeline {
  /// What the pipeline is doing, for a progress line.
  public enum Progress {
    /// Starting `item` (of `total` frames; 0 when unknown).
    case start(item: MediaItem, total: Int)
    /// About to estimate frame `index` of the current item, named `name`.
    case frame(index: Int, name: String)
    /// Done with the current item after `frames` frames.
    case finish(item: MediaItem, frames: Int)
  }

  /// The options it was made with.
  public var options: PipelineOptions { estimator.options }
  private let estimator: FrameEstimator

  /// Loads the BlazePose models.
  ///
  /// - Throws: `MissingModelError` (naming `scripts/fetch-assets.sh models`) or the model reader's error.
  public init(_ options: PipelineOptions = PipelineOptions()) throws {
    estimator = try FrameEstimator(options: options)
  }

  /// Every frame of `path` (an image, a folder or a video), in order; a frame of a folder or video that
  /// could not be read or estimated has its `error` set.
  ///
  /// - Throws: `PipelineError` when the input cannot be read at all (a missing file, an empty folder, a
  ///   video ffmpeg cannot open, an image that cannot be decoded).
  public func estimate(_ path: String) throws -> [PoseFrame] {
    let item = MediaItem.open(path, as: options.sequenceMode, tools: options.videoTools)
    if let problem = Self.problem(of: item) { throw PipelineError(problem) }
    var frames: [PoseFrame] = []
    each(item, index: 0) { _, frame in frames.append(frame) }
    if !item.isSequence, let error = frames.first?.error { throw PipelineError(error) }
    return frames
  }

  /// Estimates every frame of every input in order.
  public func run(_ paths: [String], progress: (Progress) -> Void = { _ in }) -> PipelineRun {
    run(
      items: paths.map { MediaItem.open($0, as: options.sequenceMode, tools: options.videoTools) },
      progress: progress)
  }

  /// Estimates every frame of every item in order (items made with `MediaItem.open`).
  public func run(items: [MediaItem], progress: (Progress) -> Void = { _ in }) -> PipelineRun {
    var run = PipelineRun(items: items)
    for (index, item) in items.enumerated() {
      if let problem = Self.problem(of: item) {
        run.failures.append(FrameFailure(file: item.path, error: problem))
        continue
      }
      progress(.start(item: item, total: item.isSequence ? item.frameCount : 1))
      var done = 0
      each(item, index: index, progress: progress) { f, frame in
        if let error = frame.error {
          run.failures.append(item.failure(error, at: f))
          return
        }
        run.frames.append(item.estimated(frame, at: f, itemIndex: index))
        done += 1
      }
      progress(.finish(item: item, frames: done))
    }
    return run
  }

  /// Why `item` cannot be read at all, naming it; nil when it can.
  static func problem(of item: MediaItem) -> String? {
    guard let problem = item.problem else { return nil }
    return item.isVideo ? VideoError(path: item.path, reason: problem).description : problem
  }

  /// Estimates the frames of `item` in order, handing each to `body`; a video stops at its first frame
  /// that fails (reading on is not possible), or without a failure where it really ends.
  private func each(
    _ item: MediaItem, index: Int, progress: (Progress) -> Void = { _ in }, _ body: (Int, PoseFrame) -> Void
  ) {
    for f in 0..<item.frameCount {
      if item.isSequence { progress(.frame(index: f, name: item.framePath(f) ?? "frame \(f + 1)")) }
      let (frame, _) = estimator.estimate(item: item, itemIndex: index, frame: f)
      if item.isVideo, frame.error != nil, let end = estimator.videoEnd(itemIndex: index), f >= end { break }
      body(f, frame)
      if item.isVideo && frame.error != nil { break }
    }
  }
}

/// An input the pipeline could not read at all.
public struct PipelineError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What went wrong, naming the input.
  public var description: String
  /// Creates an error.
  public init(_ description: String) { self.description = description }
}
