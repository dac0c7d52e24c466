// PoseEstimation: the BlazePose façade — detection, landmarks, tracking and smoothing as MediaPipe's Pose.
import MediaIO

/// 3D human pose estimation with BlazePose GHUM (full), reproducing MediaPipe 0.10.14's legacy `Pose` solution.
///
/// The two networks are supplied as `TensorModel`s; everything else (input warps, decoding, ROI geometry,
/// tracking and smoothing) is done here. One estimator processes one image sequence at a time; it is not
/// thread-safe.
public final class BlazePoseEstimator {
  /// Pipeline options, as the arguments of MediaPipe's `mp.solutions.pose.Pose`.
  public struct Options: Sendable, Equatable {
    /// Run the detector on every image (true) or track the ROI from frame to frame (false, video mode).
    public var staticImageMode: Bool
    /// Smooth the landmarks and world landmarks over time (video mode only).
    public var smoothLandmarks: Bool
    /// Minimum detector score to accept a person.
    public var minDetectionConfidence: Double
    /// The pose is accepted only if the landmark model's presence probability is strictly above this.
    public var minTrackingConfidence: Double
    /// Side of the heatmap refinement window; the Python wheel effectively uses 9 (its graph says 7).
    public var heatmapKernel: Int

    /// Creates options; the defaults are MediaPipe's.
    public init(
      staticImageMode: Bool = true, smoothLandmarks: Bool = true, minDetectionConfidence: Double = 0.5,
      minTrackingConfidence: Double = 0.5, heatmapKernel: Int = 9
    ) {
      self.staticImageMode = staticImageMode
      self.smoothLandmarks = smoothLandmarks
      self.minDetectionConfidence = minDetectionConfidence
      self.minTrackingConfidence = minTrackingConfidence
      self.heatmapKernel = heatmapKernel
    }
  }

  /// The detector's input side.
  public static let detectorInputSize = 224
  /// The landmark model's input side.
  public static let landmarkInputSize = 256
  /// The simulated time between two `process` calls (MediaPipe's SolutionBase), in microseconds.
  public static let frameIntervalMicros: Int64 = 33_333

  /// The options this estimator was made with.
  public let options: Options
  /// How long the stages of the last `process` / `landmarks(on:roi:)` call took.
  public private(set) var lastTimings = StageTimings()

  private let detector: TensorModel
  private let landmarker: TensorModel
  private let anchors: [SIMD2<Float>]
  private let detectorTable: [Float]
  private let landmarkTable: [Float]
  // Preallocated once: the warped u8 image and the two float input tensors.
  private var warpBuffer: [UInt8]
  private var detectorInput: [Float]
  private var landmarkInput: [Float]
  // Tracking state.
  private var previousROI: NormalizedRect?
  private var timestampMicros: Int64 = 0
  private var landmarkSmoother: LandmarkSmoother?
  private var worldSmoother: LandmarkSmoother?
  private var auxSmoother: LandmarkSmoother?

  /// Creates an estimator. The detector must take [1, 224, 224, 3] and the landmark model [1, 256, 256, 3].
  public init(detector: TensorModel, landmarker: TensorModel, options: Options = .init()) throws {
    let d = Self.detectorInputSize
    let l = Self.landmarkInputSize
    guard detector.inputShape == [1, d, d, 3] else {
      throw PoseEstimationError(
        .badInputShape,
        "the pose detector takes input \(detector.inputShape), expected [1, \(d), \(d), 3] "
          + "(pose_detection.tflite)")
    }
    guard landmarker.inputShape == [1, l, l, 3] else {
      throw PoseEstimationError(
        .badInputShape,
        "the landmark model takes input \(landmarker.inputShape), expected [1, \(l), \(l), 3] "
          + "(pose_landmark_full.tflite)")
    }
    guard options.heatmapKernel >= 1, options.heatmapKernel <= LandmarkDecoder.heatmapSize else {
      throw PoseEstimationError(
        .badOption,
        "heatmapKernel is \(options.heatmapKernel); it must be in 1...\(LandmarkDecoder.heatmapSize)")
    }
    for (name, v) in [
      ("minDetectionConfidence", options.minDetectionConfidence),
      ("minTrackingConfidence", options.minTrackingConfidence),
    ] where !(v >= 0 && v <= 1) {
      throw PoseEstimationError(.badOption, "\(name) is \(v); it must be in [0, 1]")
    }
    self.detector = detector
    self.landmarker = landmarker
    self.options = options
    anchors = SSDAnchors.blazePose()
    detectorTable = ImageToTensor.conversionTable(lo: -1, hi: 1)
    landmarkTable = ImageToTensor.conversionTable(lo: 0, hi: 1)
    warpBuffer = [UInt8](repeating: 0, count: l * l * 3)
    detectorInput = [Float](repeating: 0, count: d * d * 3)
    landmarkInput = [Float](repeating: 0, count: l * l * 3)
  }

  /// Starts a new sequence: forgets the tracked ROI and the smoothing state.
  public func reset() {
    previousROI = nil
    resetFilters()
  }

  /// Finds the pose in `image` (the next frame of the sequence in video mode); nil when there is no person.
  ///
  /// In video mode the detector runs only when there is no ROI from the previous frame; the landmark ROI then
  /// follows the (smoothed) auxiliary landmarks. Each call advances the simulated clock by 33 333 µs.
  public func process(_ image: Image) throws -> PoseResult? {
    try process(image, overridingROI: nil)
  }

  /// Runs only the landmark stage on `roi`, without tracking or smoothing state (nothing is remembered).
  ///
  /// The result has no detection; `nextROI` is built from the unsmoothed auxiliary landmarks. Nil when the pose
  /// presence is not above `minTrackingConfidence`, or `roi` has no area.
  public func landmarks(on image: Image, roi: NormalizedRect) throws -> PoseResult? {
    var timings = StageTimings()
    defer { lastTimings = timings }
    guard let stage = try landmarkStage(image, roi: roi, timings: &timings) else { return nil }
    let start = ContinuousClock.now
    defer { timings.postprocessMs += Self.milliseconds(since: start) }
    let aux = stage.landmarks
    let next = ROIGeometry.roi(
      from: SIMD2(aux[33].x, aux[33].y), to: SIMD2(aux[34].x, aux[34].y), imageWidth: image.width,
      imageHeight: image.height)
    return PoseResult(
      imageWidth: image.width, imageHeight: image.height, poseScore: stage.flag, detection: nil, roi: roi,
      nextROI: next, landmarks: Array(stage.landmarks[0..<LandmarkDecoder.poseCount]),
      worldLandmarks: stage.world)
  }

  /// One `process` step; `overridingROI` replaces the previous frame's ROI (open-loop tests).
  func process(_ image: Image, overridingROI: NormalizedRect?) throws -> PoseResult? {
    var timings = StageTimings()
    defer { lastTimings = timings }
    timestampMicros += Self.frameIntervalMicros
    let nanos = timestampMicros * 1000
    let w = image.width
    let h = image.height
    var detection: PoseDetection?
    let roi: NormalizedRect
    if let r = overridingROI ?? (options.staticImageMode ? nil : previousROI) {
      roi = r
    } else {
      guard let d = try detect(image, timings: &timings) else {
        reset()
        return nil
      }
      detection = d
      roi = ROIGeometry.roi(from: d.keypoints[0], to: d.keypoints[1], imageWidth: w, imageHeight: h)
    }
    guard let stage = try landmarkStage(image, roi: roi, timings: &timings) else {
      reset()
      return nil
    }
    let start = ContinuousClock.now
    defer { timings.postprocessMs += Self.milliseconds(since: start) }
    let all = stage.landmarks
    let aux0 = SIMD2(all[33].x, all[33].y)
    let aux1 = SIMD2(all[34].x, all[34].y)
    // Object scale from the unsmoothed auxiliary landmarks (no ×1.25, not squared), in float32 pixels.
    let scaleRect = ROIGeometry.rect(from: aux0, to: aux1, imageWidth: w, imageHeight: h)
    let objectScale = (Float(scaleRect.width) * Float(w) + Float(scaleRect.height) * Float(h)) / 2
    var landmarks = Array(all[0..<LandmarkDecoder.poseCount])
    var world = stage.world
    if options.smoothLandmarks && !options.staticImageMode {
      if landmarkSmoother == nil {
        landmarkSmoother = LandmarkSmoother(count: 33, minCutoff: 0.05, beta: 80, normalized: true)
        worldSmoother = LandmarkSmoother(count: 33, minCutoff: 0.1, beta: 40, normalized: false)
      }
      let vis = landmarks.map(\.visibility)
      if let s = landmarkSmoother?.apply(
        points: landmarks.map { SIMD3($0.x, $0.y, $0.z) }, visibilities: vis, nanos: nanos, imageWidth: w,
        imageHeight: h, objectScale: objectScale)
      {
        for i in landmarks.indices {
          landmarks[i].x = s.points[i].x
          landmarks[i].y = s.points[i].y
          landmarks[i].z = s.points[i].z
          landmarks[i].visibility = s.visibilities[i]
        }
      }
      if let s = worldSmoother?.apply(
        points: world, visibilities: vis, nanos: nanos, imageWidth: w, imageHeight: h,
        objectScale: objectScale)
      {
        world = s.points
      }
    }
    if auxSmoother == nil {
      auxSmoother = LandmarkSmoother(count: 2, minCutoff: 0.01, beta: 10, normalized: true)
    }
    var next: NormalizedRect?
    if let s = auxSmoother?.apply(
      points: [SIMD3(all[33].x, all[33].y, all[33].z), SIMD3(all[34].x, all[34].y, all[34].z)],
      visibilities: [all[33].visibility, all[34].visibility], nanos: nanos, imageWidth: w, imageHeight: h,
      objectScale: objectScale), s.points.count == 2
    {
      next = ROIGeometry.roi(
        from: SIMD2(s.points[0].x, s.points[0].y), to: SIMD2(s.points[1].x, s.points[1].y), imageWidth: w,
        imageHeight: h)
    }
    previousROI = options.staticImageMode ? nil : next
    return PoseResult(
      imageWidth: w, imageHeight: h, poseScore: stage.flag, detection: detection, roi: roi, nextROI: next,
      landmarks: landmarks, worldLandmarks: world)
  }

  private func resetFilters() {
    landmarkSmoother = nil
    worldSmoother = nil
    auxSmoother = nil
  }

  /// Warps `rect` of `image` (nil: the whole image) into a `size`×`size` input of `model` through `table`
  /// (into `input`, via the shared u8 `warpBuffer`) and runs `model`: the letterbox padding and the
  /// outputs, or nil when the rect has no area. The warp and conversion count as preprocessing, the run
  /// as `modelMs`.
  private func warpAndRun(
    _ image: Image, rect: NormalizedRect?, size: Int, border: WarpBorder, table: [Float],
    input: inout [Float], model: TensorModel, modelMs: WritableKeyPath<StageTimings, Double>,
    timings: inout StageTimings
  ) throws -> (pad: LetterboxPadding, outputs: [String: [Float]])? {
    let start = ContinuousClock.now
    let pad = warpBuffer.withUnsafeMutableBufferPointer { buf in
      ImageToTensor.warp(
        image, rect: rect, outWidth: size, outHeight: size, border: border, into: buf,
        threads: model.threadCount)
    }
    guard let pad else { return nil }
    warpBuffer.withUnsafeBufferPointer { src in
      input.withUnsafeMutableBufferPointer { ImageToTensor.convert(src, table: table, into: $0) }
    }
    timings.preprocessMs += Self.milliseconds(since: start)
    let run = ContinuousClock.now
    let outputs = try input.withUnsafeBufferPointer { try model.run($0) }
    timings[keyPath: modelMs] += Self.milliseconds(since: run)
    return (pad, outputs)
  }

  /// Runs the detector on the whole image and returns the best person, letterbox removed.
  private func detect(_ image: Image, timings: inout StageTimings) throws -> PoseDetection? {
    guard
      let (pad, outputs) = try warpAndRun(
        image, rect: nil, size: Self.detectorInputSize, border: .zero, table: detectorTable,
        input: &detectorInput, model: detector, modelMs: \.detectorMs, timings: &timings)
    else { return nil }
    let start = ContinuousClock.now
    defer { timings.postprocessMs += Self.milliseconds(since: start) }
    let boxes = try Self.output(
      outputs, "Identity", count: anchors.count * DetectionDecoder.valuesPerBox, "detector")
    let logits = try Self.output(outputs, "Identity_1", count: anchors.count, "detector")
    let decoded = DetectionDecoder.decode(
      boxes: boxes, logits: logits, anchors: anchors, minScore: options.minDetectionConfidence)
    guard let best = DetectionDecoder.weightedNMS(decoded).first, best.keypoints.count == 4 else {
      return nil
    }
    return DetectionDecoder.removeLetterbox(best, pad)
  }

  /// Runs the landmark model on `roi`; nil when the ROI has no area or the pose presence is too low.
  private func landmarkStage(_ image: Image, roi: NormalizedRect, timings: inout StageTimings) throws
    -> LandmarkStageOutput?
  {
    let size = Self.landmarkInputSize
    guard
      let (pad, outputs) = try warpAndRun(
        image, rect: roi, size: size, border: .replicate, table: landmarkTable, input: &landmarkInput,
        model: landmarker, modelMs: \.landmarkMs, timings: &timings)
    else { return nil }
    let start = ContinuousClock.now
    defer { timings.postprocessMs += Self.milliseconds(since: start) }
    let n = LandmarkDecoder.count
    let side = LandmarkDecoder.heatmapSize
    let raw = try Self.output(outputs, "Identity", count: n * 5, "landmark model")
    let flag = try Self.output(outputs, "Identity_1", count: 1, "landmark model")
    let heatmap = try Self.output(outputs, "Identity_3", count: side * side * n, "landmark model")
    let world = try Self.output(outputs, "Identity_4", count: n * 3, "landmark model")
    let presence = Double(flag[0])
    guard presence > options.minTrackingConfidence else { return nil }
    return LandmarkDecoder.decode(
      raw: raw, flag: presence, heatmap: heatmap, world: world, roi: roi, padding: pad,
      kernel: options.heatmapKernel)
  }

  private static func output(_ outputs: [String: [Float]], _ name: String, count: Int, _ model: String) throws
    -> [Float]
  {
    guard let v = outputs[name] else {
      throw PoseEstimationError(
        .missingOutput,
        "the \(model) returned no tensor '\(name)' (it returned \(outputs.keys.sorted())); "
          + "is it the BlazePose model from mediapipe 0.10.14?")
    }
    guard v.count == count else {
      throw PoseEstimationError(
        .badOutputSize, "the \(model)'s output '\(name)' has \(v.count) values, expected \(count)")
    }
    return v
  }

  private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
  }
}
