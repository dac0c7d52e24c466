// PoseScope: background estimation for the viewer — the estimate store, the worker thread that fills it in
// the order the user looks at things, and its thread plumbing.

import Foundation
import MediaIO
import PoseCore
import PoseEstimation

/// Where the viewer's estimates come from (the background service, or a fixed set in tests).
public protocol EstimateSource: AnyObject, Sendable {
  /// The estimate of a frame, nil when not estimated yet.
  func estimate(item: Int, frame: Int) -> PoseFrame?
  /// All estimates of an item so far, indexed by frame (nil: not yet).
  func estimates(item: Int) -> [PoseFrame?]
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
  var results: [[PoseFrame?]]
  var stateValue = EstimationState.idle
  /// Bumped on every stored result, so a loop can tell when to redraw.
  public private(set) var generation = 0

  /// A store for `items`.
  public init(items: [MediaItem]) {
    results = items.map { [PoseFrame?](repeating: nil, count: $0.frameCount) }
  }

  /// Stores the estimate of a frame.
  public func store(_ estimate: PoseFrame, item: Int, frame: Int) {
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

  public func estimate(item: Int, frame: Int) -> PoseFrame? {
    lock.lock()
    defer { lock.unlock() }
    guard results.indices.contains(item), results[item].indices.contains(frame) else { return nil }
    return results[item][frame]
  }

  public func estimates(item: Int) -> [PoseFrame?] {
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

/// Runs estimation on a background thread that owns its `FrameEstimator` (models loaded once, on
/// that thread), caching results per frame in the store. The UI tells it what it looks at with
/// `focus(item:)`; the worker estimates, in order of priority: the focused image, the focused folder's or
/// video's frames in order (tracking; a video is read through one ffmpeg pipe), then the other single
/// images. Folders and videos that are not focused wait.
public final class EstimationService: EstimateStore, @unchecked Sendable {
  private let items: [MediaItem]
  private let thumbnails: ThumbnailCache
  private let options: PipelineOptions
  /// The thread, its stop flag, and the lock that also guards `focusItem` and `cursors`.
  private let worker = WorkerThread()
  private var focusItem = 0
  private var cursors: [Int]
  private var ffmpegStarts = 0

  /// A service for `items` estimating with `options`; display images it decodes anyway go into
  /// `thumbnails`.
  public init(items: [MediaItem], thumbnails: ThumbnailCache, options: PipelineOptions = PipelineOptions()) {
    self.items = items
    self.options = options
    self.thumbnails = thumbnails
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
    let engine: FrameEstimator
    do {
      engine = try FrameEstimator(options: options)
    } catch {
      setState(.failed("\(error)"))
      return
    }
    while let (item, frame) = worker.next(idle: { setState(.idle) }, nextJob) {
      setState(.working)
      let (estimate, image) = engine.estimate(item: items[item], itemIndex: item, frame: frame)
      let key = ThumbnailCache.Key(item: item, frame: frame)
      if let image, !thumbnails.contains(key) { thumbnails.put(key, .of(image)) }
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
