// PoseScope: the frame estimator — one frame of an image, a frame folder or a video in, one `PoseFrame`
// out (decode, the still or tracking BlazePose estimator, the reset after a bad frame, lifting).

import Foundation
import MediaIO
import PoseCore
import PoseEstimation

/// A 2D→3D lifter: the 17 H36M-17 image joints (pixels) in, 17 H36M-17 joints in metres (pelvis at the
/// origin, camera frame, y down) out, or nil. Called on the estimating thread, one frame at a time.
public typealias PoseLifter = @Sendable (_ joints: [Vec2]) -> [Vec3]?

/// How the pipeline estimates: threads, the model folder, smoothing in sequences, the lifter, how folders
/// are taken, and where ffmpeg is.
public struct PipelineOptions: Sendable {
  /// Threads of the BlazePose models.
  public var threads: Int
  /// The folder of the BlazePose models (nil: `Assets.modelsDirectory`).
  public var modelDirectory: String?
  /// Smooth landmarks over time in tracked sequences, as MediaPipe does.
  public var smoothLandmarks: Bool
  /// The lifter that adds a second 3D source to every frame with a person (nil: none).
  public var lifter: PoseLifter?
  /// Whether folders are tracked sequences or sets of images.
  public var sequenceMode: SequenceMode
  /// Where ffmpeg and ffprobe are.
  public var videoTools: VideoTools

  /// Options; the defaults are one thread, the fetched models, smoothing, no lifter, folders decided by
  /// their files, ffmpeg on `PATH`.
  public init(
    threads: Int = 1, modelDirectory: String? = nil, smoothLandmarks: Bool = true, lifter: PoseLifter? = nil,
    sequenceMode: SequenceMode = .auto, videoTools: VideoTools = VideoTools()
  ) {
    self.threads = max(1, min(64, threads))
    self.modelDirectory = modelDirectory
    self.smoothLandmarks = smoothLandmarks
    self.lifter = lifter
    self.sequenceMode = sequenceMode
    self.videoTools = videoTools
  }
}

/// Estimates one frame of an item: the one place that reads a frame (image file, folder frame, video frame
/// through one ffmpeg pipe), picks the still-image or the tracking estimator, restarts tracking after a
/// frame out of order or a bad frame, and makes the `PoseFrame` (H36M-17 mapping and lifting, once).
///
/// Owns the BlazePose models (loaded once) and one tracking estimator per sequence. Not thread-safe: create
/// and use it on one thread.
public final class FrameEstimator {
  /// The options it was made with.
  public let options: PipelineOptions
  private let detector: TensorModel
  private let landmarker: TensorModel
  private let still: BlazePoseEstimator
  private var tracking: [Int: (estimator: BlazePoseEstimator, next: Int)] = [:]
  private let videoFrames: VideoFrameSource

  /// Loads the models (from `options.modelDirectory`, default `Assets.modelsDirectory`).
  ///
  /// - Throws: `MissingModelError` (naming `scripts/fetch-assets.sh models`) or the model reader's error.
  public init(options: PipelineOptions = PipelineOptions()) throws {
    self.options = options
    videoFrames = VideoFrameSource(tools: options.videoTools)
    let models = try ModelStore.loadBlazePose(threads: options.threads, directory: options.modelDirectory)
    detector = models.detector
    landmarker = models.landmarker
    still = try BlazePoseEstimator(
      detector: detector, landmarker: landmarker, options: .init(staticImageMode: true))
  }

  /// ffmpeg processes started for video items so far (1 per video read straight through).
  public var videoStarts: Int { videoFrames.starts }

  /// The number of frames a video item really has, once reading it found its end (nil until then).
  public func videoEnd(itemIndex: Int) -> Int? { videoFrames.end(of: itemIndex) }

  /// Estimates frame `frame` of `item` (item number `itemIndex`): the still-image estimator for images and
  /// untracked folders; for tracked sequences the item's tracking estimator, which tracks when frames come
  /// in order (any other frame, or one after a failure, restarts tracking). Also returns the decoded image
  /// (nil when the frame could not be read).
  public func estimate(item: MediaItem, itemIndex: Int, frame: Int) -> (frame: PoseFrame, image: Image?) {
    let image: Image
    let path: String
    if item.isVideo {
      path = "\(item.path)#\(frame)"
      switch videoFrames.frame(frame, of: item, index: itemIndex) {
      case .success(let decoded): image = decoded
      case .failure(let error):
        tracking[itemIndex]?.next = -1
        return (PoseFrame(failure: error.description), nil)
      }
    } else {
      guard let file = item.framePath(frame) else {
        return (PoseFrame(failure: item.problem ?? "\(item.name): no frame \(frame + 1)"), nil)
      }
      path = file
      do {
        image = try ImageDecoder.load(path: file)
      } catch {
        tracking[itemIndex]?.next = -1
        return (PoseFrame(failure: "\(error)"), nil)
      }
    }
    return (estimate(image, item: item, itemIndex: itemIndex, frame: frame, path: path), image)
  }

  /// Estimates a decoded frame (see `estimate(item:itemIndex:frame:)`).
  func estimate(_ image: Image, item: MediaItem, itemIndex: Int, frame: Int, path: String) -> PoseFrame {
    do {
      let estimator: BlazePoseEstimator
      if item.isTrackedSequence {
        var entry = try tracking[itemIndex] ?? makeTrackingEntry()
        if entry.next != frame { entry.estimator.reset() }
        entry.next = frame + 1
        tracking[itemIndex] = entry
        estimator = entry.estimator
      } else {
        estimator = still
      }
      let result = try estimator.process(image)
      var out = PoseFrame(
        width: image.width, height: image.height, result: result, timings: estimator.lastTimings)
      if let lifter = options.lifter, let joints = out.person?.h36mImage {
        out.person?.attachLifted(lifter(joints))
      }
      return out
    } catch {
      tracking[itemIndex]?.next = -1
      return PoseFrame(failure: "\(path): \(error)")
    }
  }

  private func makeTrackingEntry() throws -> (estimator: BlazePoseEstimator, next: Int) {
    var o = BlazePoseEstimator.Options()
    o.staticImageMode = false
    o.smoothLandmarks = options.smoothLandmarks
    return (try BlazePoseEstimator(detector: detector, landmarker: landmarker, options: o), 0)
  }
}
