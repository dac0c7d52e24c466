// TerminalUI: pose estimation for the viewer — per-frame results, the engine, and its background worker.

import Foundation
import MediaIO
import PoseCore
import PoseEstimation

/// What the viewer keeps of one estimated frame (a few KB): the pose, the derived H36M joints and the
/// bone lengths of both skeletons, the stage timings, or why the frame failed.
public struct FrameEstimate: Sendable {
  /// Size of the full image in pixels.
  public var imageWidth: Int
  public var imageHeight: Int
  /// The estimator's result; nil when no person was found or the frame failed.
  public var result: PoseResult?
  /// How long each stage took.
  public var timings: StageTimings
  /// H36M-17 joints from the world landmarks (metres, y down).
  public var h36mWorld: [Vec3]?
  /// H36M-17 joints in image pixels.
  public var h36mImage: [Vec2]?
  /// H36M-17 bone lengths (metres, `H36M17.boneNames` order).
  public var h36mLengths: [Double]?
  /// BlazePose-33 bone lengths (metres, `BlazePose33.bones` order).
  public var blazeLengths: [Double]?
  /// Why the frame could not be processed (unreadable image, …), nil when it was.
  public var error: String?
  /// H36M-17 joints (metres, pelvis-centred, y down) from a 2D→3D lifter, when one is wired in.
  public private(set) var lifted: [Vec3]?
  /// Bone lengths of `lifted` (metres).
  public private(set) var liftedLengths: [Double]?

  /// Builds the estimate of `result` for an image of `width` × `height` pixels.
  public init(width: Int, height: Int, result: PoseResult?, timings: StageTimings = StageTimings()) {
    imageWidth = width
    imageHeight = height
    self.result = result
    self.timings = timings
    guard let r = result else { return }
    let world = r.worldLandmarks
    if let j = try? BlazePoseToH36M.map(world) {
      h36mWorld = j
      h36mLengths = try? PoseMetrics.boneLengths(j, skeleton: H36M17.skeleton)
    }
    let pixels = r.landmarks.map { Vec2($0.x * Double(width), $0.y * Double(height)) }
    h36mImage = try? BlazePoseToH36M.map(pixels)
    blazeLengths = try? PoseMetrics.boneLengths(world, skeleton: BlazePose33.skeleton)
  }

  /// A frame that failed.
  public init(failure: String) {
    imageWidth = 0
    imageHeight = 0
    result = nil
    timings = StageTimings()
    error = failure
  }

  /// True when a person was found.
  public var hasPerson: Bool { result != nil }

  /// Stores a lifter's H36M-17 joints (ignored unless there are 17 finite ones).
  public mutating func attachLifted(_ joints: [Vec3]?) {
    guard let joints, joints.count == H36M17.count,
      joints.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite })
    else { return }
    lifted = joints
    liftedLengths = try? PoseMetrics.boneLengths(joints, skeleton: H36M17.skeleton)
  }

  /// The 3D joints a source gives for a skeleton: BlazePose's world landmarks (or their H36M-17
  /// mapping), or the lifter's H36M-17 joints; nil when that source has none.
  public func joints3D(_ kind: SkeletonKind, source: PoseSource = .blazePose) -> [Vec3]? {
    switch (source, kind) {
    case (.blazePose, .h36m17): return h36mWorld
    case (.blazePose, .blazePose33): return result?.worldLandmarks
    case (.aiteLifter, .h36m17): return lifted
    case (.aiteLifter, .blazePose33): return nil
    }
  }

  /// Bone lengths (metres) of a skeleton from a source, nil when it has no pose.
  public func lengths(_ kind: SkeletonKind, source: PoseSource = .blazePose) -> [Double]? {
    switch (source, kind) {
    case (.blazePose, .h36m17): return h36mLengths
    case (.blazePose, .blazePose33): return blazeLengths
    case (.aiteLifter, .h36m17): return liftedLengths
    case (.aiteLifter, .blazePose33): return nil
    }
  }

  /// The record `posescope estimate` writes for this frame (`time`: seconds from the start of a video),
  /// with the lifter's joints (`lifted_h36m17`) when a lifter ran.
  public func record(file: String, sequence: String?, frame: Int?, time: Double? = nil) -> FrameRecord {
    var record = FrameRecord(
      file: file, sequence: sequence, frame: frame, time: time, width: imageWidth, height: imageHeight,
      result: result)
    record.attachLifted(lifted)
    return record
  }
}

/// Where the viewer finds `ffmpeg` and `ffprobe` for video items (default: on `PATH`).
public struct VideoTools: Sendable, Hashable {
  /// The ffmpeg executable, nil: looked up on `PATH`.
  public var ffmpeg: String?
  /// The ffprobe executable, nil: looked up on `PATH`.
  public var ffprobe: String?

  /// Tools at the given paths (nil: on `PATH`).
  public init(ffmpeg: String? = nil, ffprobe: String? = nil) {
    self.ffmpeg = ffmpeg
    self.ffprobe = ffprobe
  }

  /// Opens `path` (frames shrunk to fit `fitting` × `fitting` when given).
  ///
  /// - Throws: `VideoError` naming the file (and how to install ffmpeg when it is missing).
  public func open(_ path: String, fitting side: Int? = nil) throws -> VideoReader {
    try VideoReader(path: path, ffmpeg: ffmpeg, ffprobe: ffprobe, fitting: side)
  }
}

extension MediaItem {
  /// The item of a video file: probed with ffprobe for its frame count and rate (frames counted packet
  /// by packet when the container does not store the count). Never throws: a video that cannot be
  /// opened (no ffmpeg, not a video) becomes an item of one frame whose `problem` says why (the reason;
  /// the viewer shows it after the path).
  public static func video(path: String, tools: VideoTools = VideoTools()) -> MediaItem {
    do {
      let reader = try tools.open(path)
      var frames = reader.info.frameCount
      if frames == nil || reader.info.frameCountIsEstimate, let counted = try? reader.countFrames() {
        frames = counted
      }
      guard let frames, frames > 0 else {
        return MediaItem(
          path: path, kind: .video(frames: 1, fps: reader.info.fps), problem: "the video has no frames")
      }
      return MediaItem(path: path, kind: .video(frames: frames, fps: reader.info.fps))
    } catch {
      return MediaItem(
        path: path, kind: .video(frames: 1, fps: 0), problem: (error as? VideoError)?.reason ?? "\(error)")
    }
  }
}

/// Reads frames of the video items one at a time on one thread, keeping a single ffmpeg pipe open (for
/// the item read last): reading on from where the pipe is costs one frame; any other frame restarts
/// ffmpeg with a seek. Remembers videos that cannot be opened and where a video really ends.
final class VideoFrameSource {
  private let tools: VideoTools
  private let side: Int?
  private var open: (item: Int, reader: VideoReader)?
  private var failures: [Int: String] = [:]
  private var ends: [Int: Int] = [:]
  /// ffmpeg processes started so far.
  private(set) var starts = 0
  /// Largest gap read through (and thrown away) instead of seeking.
  static let readThrough = 12

  /// A source of full frames, or of frames shrunk to fit `side` × `side`.
  init(tools: VideoTools, fitting side: Int? = nil) {
    self.tools = tools
    self.side = side
  }

  deinit { open?.reader.stop() }

  /// The size of the video's frames (before any shrinking), when it was opened.
  func fullSize(item: Int) -> (width: Int, height: Int)? {
    guard let open, open.item == item else { return nil }
    return (open.reader.info.width, open.reader.info.height)
  }

  /// Frame `frame` of video `item` (number `index`), or why it cannot be had. `skipped` gets the frames
  /// read through on the way (from the pipe's position up to `frame`), for a cache.
  func frame(
    _ frame: Int, of item: MediaItem, index: Int, skipped: (Int, Image) -> Void = { _, _ in }
  ) -> Result<Image, VideoError> {
    if let problem = item.problem { return .failure(VideoError(path: item.path, reason: problem)) }
    if let reason = failures[index] { return .failure(VideoError(path: item.path, reason: reason)) }
    guard frame >= 0, frame < item.frameCount else {
      return .failure(VideoError(path: item.path, reason: "no frame \(frame + 1)"))
    }
    if let end = ends[index], frame >= end {
      return .failure(
        VideoError(path: item.path, reason: "no frame \(frame + 1): the video ends after \(end) frames"))
    }
    if open?.item != index {
      open?.reader.stop()
      open = nil
      do {
        open = (index, try tools.open(item.path, fitting: side))
      } catch {
        let reason = (error as? VideoError)?.reason ?? "\(error)"
        failures[index] = reason
        return .failure(VideoError(path: item.path, reason: reason))
      }
    }
    guard let reader = open?.reader else {
      return .failure(VideoError(path: item.path, reason: "cannot open the video"))
    }
    let before = reader.starts
    defer { starts += reader.starts - before }
    do {
      let gap = frame - reader.position
      if gap < 0 || gap > Self.readThrough { try reader.seek(toFrame: frame) }
      while reader.position < frame {
        let at = reader.position
        guard let image = try reader.nextFrame() else { break }
        skipped(at, image)
      }
      guard reader.position == frame, let image = try reader.nextFrame() else {
        ends[index] = min(ends[index] ?? Int.max, reader.position)
        reader.stop()
        let end = ends[index] ?? frame
        return .failure(
          VideoError(path: item.path, reason: "no frame \(frame + 1): the video ends after \(end) frames"))
      }
      return .success(image)
    } catch let error as VideoError {
      reader.stop()
      return .failure(error)
    } catch {
      reader.stop()
      return .failure(VideoError(path: item.path, reason: "\(error)"))
    }
  }

  /// Closes the pipe (ffmpeg ends); the next read opens it again.
  func close() {
    open?.reader.stop()
    open = nil
  }
}

/// A 2D→3D lifter (the AITE lifter when it lands): from the 17 H36M-17 image joints (pixels), their
/// visibilities and the image size to 17 H36M-17 joints in metres (pelvis-centred, y down), or nil.
/// Called on the estimation thread, one frame at a time.
public typealias PoseLifter =
  @Sendable (
    _ joints: [Vec2], _ visibility: [Double], _ imageWidth: Int, _ imageHeight: Int
  ) -> [Vec3]?

/// Owns the BlazePose models and estimators (one still-image estimator, one video estimator per frame
/// folder, all sharing the two interpreters). Not thread-safe: create and use it on one thread.
public final class EstimationEngine {
  /// Longest side of the display images the engine hands back (`thumbnail(of:)`).
  public static let thumbnailSide = 400

  private let detector: TensorModel
  private let landmarker: TensorModel
  private let still: BlazePoseEstimator
  private var video: [Int: (estimator: BlazePoseEstimator, next: Int)] = [:]
  private let lifter: PoseLifter?
  private let videoFrames: VideoFrameSource

  /// Loads the models from `directory` (default: `ModelStore.modelsDirectory`); `lifter`, when given, adds
  /// a second 3D source to every frame with a person. Video items are read with `videoTools`.
  ///
  /// - Throws: `MissingModelError` (naming `scripts/fetch-assets.sh models`) or the model reader's error.
  public init(
    threads: Int = 1, modelDirectory: String? = nil, lifter: PoseLifter? = nil,
    videoTools: VideoTools = VideoTools()
  ) throws {
    self.lifter = lifter
    videoFrames = VideoFrameSource(tools: videoTools)
    let models = try ModelStore.loadBlazePose(threads: max(1, min(64, threads)), directory: modelDirectory)
    detector = models.detector
    landmarker = models.landmarker
    still = try BlazePoseEstimator(
      detector: detector, landmarker: landmarker, options: .init(staticImageMode: true))
  }

  /// ffmpeg processes started for video items so far (1 per video read straight through).
  public var videoStarts: Int { videoFrames.starts }

  /// Estimates frame `frame` of `item` (item number `itemIndex`): the still-image estimator for images;
  /// for folders and videos the item's video estimator, which tracks when frames come in order (any other
  /// frame restarts tracking). Video frames come from one ffmpeg pipe, read on in order (another frame
  /// seeks). Also returns the display image (nil when the frame could not be read).
  public func estimate(item: MediaItem, itemIndex: Int, frame: Int) -> (FrameEstimate, Image?) {
    let image: Image
    let path: String
    if item.isVideo {
      path = "\(item.path)#\(frame)"
      switch videoFrames.frame(frame, of: item, index: itemIndex) {
      case .success(let decoded): image = decoded
      case .failure(let error):
        video[itemIndex]?.next = -1
        return (FrameEstimate(failure: error.description), nil)
      }
    } else {
      guard let file = item.framePath(frame) else {
        return (FrameEstimate(failure: "\(item.name): no frame \(frame + 1)"), nil)
      }
      path = file
      do {
        image = try ImageDecoder.load(path: file)
      } catch {
        if item.isFolder { video[itemIndex]?.next = -1 }
        return (FrameEstimate(failure: "\(error)"), nil)
      }
    }
    let thumb = Self.thumbnail(of: image)
    do {
      if item.isSequence {
        var entry = try video[itemIndex] ?? makeVideoEntry()
        if entry.next != frame { entry.estimator.reset() }
        let r = try entry.estimator.process(image)
        entry.next = frame + 1
        video[itemIndex] = entry
        let estimate = FrameEstimate(
          width: image.width, height: image.height, result: r, timings: entry.estimator.lastTimings)
        return (lift(estimate), thumb)
      }
      let r = try still.process(image)
      let estimate = FrameEstimate(
        width: image.width, height: image.height, result: r, timings: still.lastTimings)
      return (lift(estimate), thumb)
    } catch {
      video[itemIndex]?.next = -1
      return (FrameEstimate(failure: "\(path): \(error)"), thumb)
    }
  }

  /// The estimate with the lifter's joints attached (unchanged without a lifter or a pose).
  private func lift(_ estimate: FrameEstimate) -> FrameEstimate {
    guard let lifter, let joints = estimate.h36mImage, let r = estimate.result else { return estimate }
    var e = estimate
    let visibility = ViewerPresenter.h36mVisibility(r.landmarks.map(\.visibility))
    e.attachLifted(lifter(joints, visibility, estimate.imageWidth, estimate.imageHeight))
    return e
  }

  private func makeVideoEntry() throws -> (estimator: BlazePoseEstimator, next: Int) {
    var options = BlazePoseEstimator.Options()
    options.staticImageMode = false
    return (try BlazePoseEstimator(detector: detector, landmarker: landmarker, options: options), 0)
  }

  /// `image` shrunk to fit in `side` × `side` pixels (unchanged when already smaller).
  public static func thumbnail(of image: Image, side: Int = thumbnailSide) -> Image {
    let scale = min(1, Double(side) / Double(max(image.width, image.height)))
    guard scale < 1 else { return image }
    return image.resized(
      width: max(1, Int((Double(image.width) * scale).rounded())),
      height: max(1, Int((Double(image.height) * scale).rounded())))
  }
}

/// A display image or the reason there is none.
public enum Thumbnail: Sendable {
  /// The (downscaled) image and the full image's size.
  case image(Image, fullWidth: Int, fullHeight: Int)
  /// The file could not be read.
  case failed(String)
}

/// A thread-safe, byte-bounded LRU cache of downscaled display images keyed by (item, frame).
public final class ThumbnailCache: @unchecked Sendable {
  /// A cache key.
  public struct Key: Hashable, Sendable {
    /// Item index.
    public var item: Int
    /// Frame index.
    public var frame: Int
    /// Creates a key.
    public init(item: Int, frame: Int) {
      self.item = item
      self.frame = frame
    }
  }

  /// Largest total size of the cached pixels.
  public let byteLimit: Int
  private let lock = NSLock()
  private var entries: [Key: (thumb: Thumbnail, bytes: Int, used: UInt64)] = [:]
  private var clock: UInt64 = 0
  private var bytes = 0

  /// Creates a cache holding at most `byteLimit` bytes of pixels (default 96 MiB).
  public init(byteLimit: Int = 96 << 20) { self.byteLimit = max(1 << 20, byteLimit) }

  /// The cached thumbnail (marked as recently used).
  public func get(_ key: Key) -> Thumbnail? {
    lock.lock()
    defer { lock.unlock() }
    guard var e = entries[key] else { return nil }
    clock += 1
    e.used = clock
    entries[key] = e
    return e.thumb
  }

  /// True when `key` is cached (without touching its age).
  public func contains(_ key: Key) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return entries[key] != nil
  }

  /// Stores a thumbnail, evicting the least recently used ones beyond the byte limit.
  public func put(_ key: Key, _ thumb: Thumbnail) {
    let size: Int
    switch thumb {
    case .image(let image, _, _): size = image.pixels.count + 64
    case .failed(let s): size = s.utf8.count + 64
    }
    lock.lock()
    defer { lock.unlock() }
    clock += 1
    if let old = entries[key] { bytes -= old.bytes }
    entries[key] = (thumb, size, clock)
    bytes += size
    while bytes > byteLimit, entries.count > 1 {
      guard let oldest = entries.min(by: { $0.value.used < $1.value.used }) else { break }
      if oldest.key == key { break }
      bytes -= oldest.value.bytes
      entries[oldest.key] = nil
    }
  }

  /// Bytes held now.
  public var totalBytes: Int {
    lock.lock()
    defer { lock.unlock() }
    return bytes
  }

  /// Entries held now.
  public var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return entries.count
  }
}

/// Where the viewer's estimates come from (the background service, or a fixed set in tests).
public protocol EstimateSource: AnyObject, Sendable {
  /// The estimate of a frame, nil when not estimated yet.
  func estimate(item: Int, frame: Int) -> FrameEstimate?
  /// All estimates of an item so far, indexed by frame (nil: not yet).
  func estimates(item: Int) -> [FrameEstimate?]
  /// Frames of the item estimated so far.
  func progress(item: Int) -> (done: Int, total: Int)
  /// The worker's state, for the status bar.
  var state: EstimationState { get }
}

/// What the estimation worker is doing.
public enum EstimationState: Sendable, Equatable {
  /// Loading the models.
  case loading
  /// Estimating (something is queued).
  case working
  /// Nothing left to do.
  case idle
  /// The models could not be loaded; the reason.
  case failed(String)
}

/// Estimates stored in memory, filled by the background service or directly (headless and tests).
public class EstimateStore: EstimateSource, @unchecked Sendable {
  let lock = NSLock()
  var results: [[FrameEstimate?]]
  var stateValue = EstimationState.idle
  /// Bumped on every stored result, so a loop can tell when to redraw.
  public private(set) var generation = 0

  /// A store for `items`.
  public init(items: [MediaItem]) {
    results = items.map { [FrameEstimate?](repeating: nil, count: $0.frameCount) }
  }

  /// Stores the estimate of a frame.
  public func store(_ estimate: FrameEstimate, item: Int, frame: Int) {
    lock.lock()
    defer { lock.unlock() }
    guard results.indices.contains(item), results[item].indices.contains(frame) else { return }
    results[item][frame] = estimate
    generation &+= 1
  }

  /// Sets the worker state.
  public func setState(_ s: EstimationState) {
    lock.lock()
    defer { lock.unlock() }
    if stateValue != s { generation &+= 1 }
    stateValue = s
  }

  public var state: EstimationState {
    lock.lock()
    defer { lock.unlock() }
    return stateValue
  }

  /// The current generation (read under the lock).
  public var currentGeneration: Int {
    lock.lock()
    defer { lock.unlock() }
    return generation
  }

  public func estimate(item: Int, frame: Int) -> FrameEstimate? {
    lock.lock()
    defer { lock.unlock() }
    guard results.indices.contains(item), results[item].indices.contains(frame) else { return nil }
    return results[item][frame]
  }

  public func estimates(item: Int) -> [FrameEstimate?] {
    lock.lock()
    defer { lock.unlock() }
    return results.indices.contains(item) ? results[item] : []
  }

  public func progress(item: Int) -> (done: Int, total: Int) {
    lock.lock()
    defer { lock.unlock() }
    guard results.indices.contains(item) else { return (0, 0) }
    return (results[item].reduce(0) { $0 + ($1 == nil ? 0 : 1) }, results[item].count)
  }
}

/// Runs estimation on a background thread that owns its `EstimationEngine` (models loaded once, on
/// that thread), caching results per frame in the store. The UI tells it what it looks at with
/// `focus(item:)`; the worker estimates, in order of priority: the focused image, the focused folder's or
/// video's frames in order (tracking; a video is read through one ffmpeg pipe), then the other single
/// images. Folders and videos that are not focused wait.
public final class EstimationService: EstimateStore, @unchecked Sendable {
  private let items: [MediaItem]
  private let thumbnails: ThumbnailCache
  private let threads: Int
  private let modelDirectory: String?
  private let lifter: PoseLifter?
  private let videoTools: VideoTools
  /// The thread, its stop flag, and the lock that also guards `focusItem` and `cursors`.
  private let worker = WorkerThread()
  private var focusItem = 0
  private var cursors: [Int]
  private var ffmpegStarts = 0

  /// A service for `items`; display images it decodes anyway go into `thumbnails`. Video items are read
  /// with `videoTools`.
  public init(
    items: [MediaItem], thumbnails: ThumbnailCache, threads: Int = 1, modelDirectory: String? = nil,
    lifter: PoseLifter? = nil, videoTools: VideoTools = VideoTools()
  ) {
    self.items = items
    self.lifter = lifter
    self.videoTools = videoTools
    self.thumbnails = thumbnails
    self.threads = threads
    self.modelDirectory = modelDirectory
    cursors = [Int](repeating: 0, count: items.count)
    super.init(items: items)
    stateValue = .loading
  }

  /// Starts the worker thread.
  public func start() {
    worker.start(name: "posescope-estimator", stackSize: 16 << 20) { [self] in run() }
  }

  /// Tells the worker which item the user looks at (its work comes first).
  public func focus(item: Int) {
    worker.condition.lock()
    if focusItem != item {
      focusItem = item
      worker.condition.signal()
    }
    worker.condition.unlock()
  }

  /// Stops the worker after the frame it is on.
  public func stop() { worker.stop() }

  /// ffmpeg processes the worker started for video items so far (one per video read in order).
  public var videoStarts: Int {
    lock.lock()
    defer { lock.unlock() }
    return ffmpegStarts
  }

  /// Stops the worker and waits until its thread has ended (at most `timeout` seconds); true when it
  /// has (or never started). Call before the process exits: OpenBLAS must not be torn down under a
  /// running model.
  @discardableResult
  public func stopAndWait(timeout: Double = 10) -> Bool { worker.stopAndWait(timeout: timeout) }

  private func run() {
    let engine: EstimationEngine
    do {
      engine = try EstimationEngine(
        threads: threads, modelDirectory: modelDirectory, lifter: lifter, videoTools: videoTools)
    } catch {
      setState(.failed("\(error)"))
      return
    }
    while let (item, frame) = worker.next(idle: { setState(.idle) }, nextJob) {
      setState(.working)
      let (estimate, thumb) = engine.estimate(item: items[item], itemIndex: item, frame: frame)
      let key = ThumbnailCache.Key(item: item, frame: frame)
      if let thumb, !thumbnails.contains(key) {
        thumbnails.put(key, .image(thumb, fullWidth: estimate.imageWidth, fullHeight: estimate.imageHeight))
      }
      lock.lock()
      ffmpegStarts = engine.videoStarts
      lock.unlock()
      store(estimate, item: item, frame: frame)
    }
  }

  /// The next (item, frame) to estimate: the focused item's first frame not estimated yet, else the
  /// first single image not estimated yet (folders and videos wait for the focus). Called with
  /// `worker.condition` locked.
  func nextJob() -> (Int, Int)? {
    func pending(_ item: Int) -> Int? {
      let total = items[item].frameCount
      while cursors[item] < total {
        if estimate(item: item, frame: cursors[item]) == nil { return cursors[item] }
        cursors[item] += 1
      }
      return nil
    }
    if items.indices.contains(focusItem), let f = pending(focusItem) { return (focusItem, f) }
    for i in items.indices where !items[i].isSequence {
      if let f = pending(i) { return (i, f) }
    }
    return nil
  }
}

/// A worker thread with a stop flag, and the lock its owner's work queue shares: `next` waits under it for
/// work, `stop` wakes it, `stopAndWait` lets the owner wait for the thread to end.
final class WorkerThread: @unchecked Sendable {
  /// Guards the stop flag and the owner's queue state; signal it when new work arrives.
  let condition = NSCondition()
  private var stopped = false
  private let finished = ThreadEnd()

  /// Starts `body` on a new thread; `body` should loop on `next`.
  func start(name: String, stackSize: Int, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread { [finished] in
      defer { finished.end() }
      body()
    }
    thread.name = name
    thread.stackSize = stackSize
    finished.begin()
    thread.start()
  }

  /// Under `condition`: the first non-nil `pick()`, waiting (after calling `idle`) while there is none;
  /// nil once stopped.
  func next<T>(idle: () -> Void = {}, _ pick: () -> T?) -> T? {
    condition.lock()
    defer { condition.unlock() }
    var job = pick()
    while job == nil && !stopped {
      idle()
      condition.wait()
      job = pick()
    }
    return stopped ? nil : job
  }

  /// Asks the thread to stop after the job it is on.
  func stop() {
    condition.lock()
    stopped = true
    condition.signal()
    condition.unlock()
  }

  /// Stops the thread and waits until it has ended (at most `timeout` seconds); true when it has (or
  /// never started).
  func stopAndWait(timeout: Double) -> Bool {
    stop()
    return finished.wait(timeout: timeout)
  }
}

/// Tracks whether a worker thread is running, so its owner can wait for it to end.
final class ThreadEnd: @unchecked Sendable {
  private let condition = NSCondition()
  private var running = false

  func begin() {
    condition.lock()
    running = true
    condition.unlock()
  }

  func end() {
    condition.lock()
    running = false
    condition.broadcast()
    condition.unlock()
  }

  /// Waits until the thread has ended; false on timeout.
  func wait(timeout: Double) -> Bool {
    let deadline = Date(timeIntervalSinceNow: max(0, timeout))
    condition.lock()
    defer { condition.unlock() }
    while running {
      if !condition.wait(until: deadline) { return !running }
    }
    return true
  }
}

/// Decodes display images on a background thread: the current frame first, then the frames the UI
/// expects next (`want`), into a `ThumbnailCache`.
public final class ThumbnailLoader: @unchecked Sendable {
  private let items: [MediaItem]
  private let cache: ThumbnailCache
  /// The thread, its stop flag, and the lock that also guards `wanted` and `loadedCount`.
  private let worker = WorkerThread()
  private var wanted: [ThumbnailCache.Key] = []
  /// Bumped whenever an image is stored, so a loop can tell when to redraw.
  private var loadedCount = 0
  /// Video frames, shrunk by ffmpeg to the display size (loader thread only).
  private let videoFrames: VideoFrameSource
  private var ffmpegStarts = 0

  /// A loader for `items` into `cache`; video items are read with `videoTools`.
  public init(items: [MediaItem], cache: ThumbnailCache, videoTools: VideoTools = VideoTools()) {
    self.items = items
    self.cache = cache
    videoFrames = VideoFrameSource(tools: videoTools, fitting: EstimationEngine.thumbnailSide)
  }

  /// ffmpeg processes the loader started for video items so far (seeks, mostly).
  public var videoStarts: Int {
    worker.condition.lock()
    defer { worker.condition.unlock() }
    return ffmpegStarts
  }

  /// Starts the loader thread.
  public func start() {
    worker.start(name: "posescope-images", stackSize: 4 << 20) { [self] in run() }
  }

  /// Replaces the wish list (most wanted first).
  public func want(_ keys: [ThumbnailCache.Key]) {
    worker.condition.lock()
    if keys != wanted {
      wanted = keys
      worker.condition.signal()
    }
    worker.condition.unlock()
  }

  /// Images stored so far.
  public var loaded: Int {
    worker.condition.lock()
    defer { worker.condition.unlock() }
    return loadedCount
  }

  /// Stops the thread.
  public func stop() { worker.stop() }

  /// Stops the thread and waits until it has ended (at most `timeout` seconds).
  @discardableResult
  public func stopAndWait(timeout: Double = 10) -> Bool { worker.stopAndWait(timeout: timeout) }

  /// Loads the display image of frame `frame` of `item` (synchronously; a video is opened for it).
  public static func load(_ item: MediaItem, frame: Int, videoTools: VideoTools = VideoTools()) -> Thumbnail {
    if item.isVideo {
      let source = VideoFrameSource(tools: videoTools, fitting: EstimationEngine.thumbnailSide)
      return thumbnail(source.frame(frame, of: item, index: 0), source: source, item: 0)
    }
    guard let path = item.framePath(frame) else { return .failed("\(item.name): no frame \(frame + 1)") }
    do {
      let image = try ImageDecoder.load(path: path)
      return .image(EstimationEngine.thumbnail(of: image), fullWidth: image.width, fullHeight: image.height)
    } catch {
      return .failed("\(error)")
    }
  }

  /// A video frame read (shrunk) as a display image, with the video's full size.
  static func thumbnail(_ read: Result<Image, VideoError>, source: VideoFrameSource, item: Int) -> Thumbnail {
    switch read {
    case .success(let image):
      let full = source.fullSize(item: item) ?? (image.width, image.height)
      return .image(image, fullWidth: full.width, fullHeight: full.height)
    case .failure(let error):
      return .failed(error.description)
    }
  }

  private func run() {
    while let key = worker.next({ wanted.first { !cache.contains($0) } }), items.indices.contains(key.item) {
      let item = items[key.item]
      var stored = 1
      if item.isVideo {
        // Frames read through on the way to the wanted one are kept too (the next ones wanted in play).
        let source = videoFrames
        let read = source.frame(key.frame, of: item, index: key.item) { [cache] f, image in
          let full = source.fullSize(item: key.item) ?? (image.width, image.height)
          cache.put(
            .init(item: key.item, frame: f), .image(image, fullWidth: full.width, fullHeight: full.height))
          stored += 1
        }
        worker.condition.lock()
        ffmpegStarts = videoFrames.starts
        worker.condition.unlock()
        cache.put(key, Self.thumbnail(read, source: source, item: key.item))
      } else {
        cache.put(key, Self.load(item, frame: key.frame))
      }
      worker.condition.lock()
      loadedCount += stored
      worker.condition.unlock()
    }
    videoFrames.close()
  }
}
