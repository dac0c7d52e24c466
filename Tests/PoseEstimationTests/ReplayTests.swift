// PoseEstimationTests: the pipeline replayed on recorded LiteRT outputs, against the mediapipe wheel's results.
import Foundation
import MediaIO
import ModelFiles
import PoseScopeTestSupport
import Testing

@testable import PoseEstimation

/// The fixtures (tools/fixtures/pipeline_replay.py) hold, per model call, hashes of the warped input and the
/// LiteRT outputs for it. `ReplayModel` refuses any input that is not bit-identical, so every test here also
/// checks the ROI → warp → float conversion chain exactly.
///
/// Tolerances against the wheel apply where the landmark model is given the wheel's own ROI (open loop): a
/// ROI that differs by one float32 ulp already moves landmarks by up to ~2e-3 (a few warped pixels round the
/// other way, and the refinement window jumps a heatmap cell), and LiteRT's detector outputs differ from the
/// wheel's TFLite in the last bits. Closed-loop results are therefore compared with the Python replay of the
/// same outputs (tolerance 1e-9), and with the wheel only for detection and ROI.
@Suite struct StaticReplayTests {
  @Test(arguments: Fixtures.staticNames)
  func staticModeProcess(_ name: String) throws {
    let file = try Fixtures.tensors("replay_static.safetensors")
    let wheel = try #require(try Wheel.staticResults()[name])
    let detector = try ReplayModel.detector(file, [name + ".det"])
    let landmarker = try ReplayModel.landmarker(file, [name + ".lm"])
    let estimator = try BlazePoseEstimator(detector: detector, landmarker: landmarker)
    let image = try Fixtures.staticImage(name)
    let result = try estimator.process(image)
    let r = try #require(result)
    #expect(r.imageWidth == image.width && r.imageHeight == image.height)
    try expectDetectionMatchesWheel(r.detection, wheel, name)
    let roi = try #require(wheel.roi_from_detection).normalized
    let droi = largestDifference(rectValues(r.roi), rectValues(roi))
    #expect(droi <= 1e-5, "\(name): ROI from detection differs from the wheel's by \(droi)")
    try expectMatchesReplay(result, file, "expect." + name)
    #expect(detector.remaining.isEmpty && landmarker.remaining.isEmpty)
  }

  @Test(arguments: Fixtures.staticNames)
  func landmarksOnWheelROI(_ name: String) throws {
    let file = try Fixtures.tensors("replay_static.safetensors")
    let wheel = try #require(try Wheel.staticResults()[name])
    let landmarker = try ReplayModel.landmarker(file, [name + ".open.lm"])
    let estimator = try BlazePoseEstimator(
      detector: try ReplayModel.detector(file, []), landmarker: landmarker)
    let roi = try #require(wheel.roi_from_detection).normalized
    let result = try estimator.landmarks(on: try Fixtures.staticImage(name), roi: roi)
    try expectMatchesWheel(result, wheel, name)
    #expect(result?.detection == nil)
    #expect(result?.roi == roi)
    #expect(landmarker.remaining.isEmpty)
  }
}

@Suite struct VideoReplayTests {
  static func frames() throws -> [Image] {
    try (0..<8).map { try Fixtures.image(String(format: "seq800x600_%02d", $0)) }
  }

  /// The wheel's ROI for frame i: its roi_from_detection on frame 0, else the previous roi_from_landmarks.
  static func wheelROI(_ frames: [WheelFrame], _ i: Int) throws -> NormalizedRect {
    try #require(i == 0 ? frames[0].roi_from_detection : frames[i - 1].roi_from_landmarks).normalized
  }

  @Test(arguments: [false, true])
  func openLoopTracking(smooth: Bool) throws {
    let file = try Fixtures.tensors("replay_video.safetensors")
    let wheel = try #require(try Wheel.videoResults()[smooth ? "smooth" : "nosmooth"])
    let landmarker = try ReplayModel.landmarker(file, (0..<8).map { String(format: "open.f%02d.lm", $0) })
    var options = BlazePoseEstimator.Options()
    options.staticImageMode = false
    options.smoothLandmarks = smooth
    let estimator = try BlazePoseEstimator(
      detector: try ReplayModel.detector(file, []), landmarker: landmarker, options: options)
    for (i, image) in try Self.frames().enumerated() {
      let roi = try Self.wheelROI(wheel, i)
      let r = try estimator.process(image, overridingROI: roi)
      try expectMatchesWheel(r, wheel[i], "frame \(i) smooth \(smooth)")
      #expect(r?.detection == nil)
    }
    #expect(landmarker.remaining.isEmpty)
  }

  @Test func openLoopLandmarksWithoutState() throws {
    // landmarks(on:roi:) keeps no state: equal to the unsmoothed wheel results frame by frame.
    let file = try Fixtures.tensors("replay_video.safetensors")
    let wheel = try #require(try Wheel.videoResults()["nosmooth"])
    let landmarker = try ReplayModel.landmarker(
      file, (0..<8).reversed().map { String(format: "open.f%02d.lm", $0) })
    let estimator = try BlazePoseEstimator(
      detector: try ReplayModel.detector(file, []), landmarker: landmarker)
    let frames = try Self.frames()
    for i in (0..<8).reversed() {
      let r = try estimator.landmarks(on: frames[i], roi: try Self.wheelROI(wheel, i))
      // nextROI comes from the raw auxiliary landmarks here, the wheel's from filtered ones: only frame 0
      // (a fresh filter passes the first value through) is comparable.
      try expectMatchesWheel(r, wheel[i], "frame \(i)", roi: i == 0 ? 1e-5 : nil)
    }
  }

  @Test(arguments: [false, true])
  func closedLoopTracking(smooth: Bool) throws {
    let file = try Fixtures.tensors("replay_video.safetensors")
    let key = smooth ? "smooth" : "nosmooth"
    let wheel = try #require(try Wheel.videoResults()[key])
    let detector = try ReplayModel.detector(file, ["f00.det"])
    let landmarker = try ReplayModel.landmarker(file, (0..<8).map { String(format: "closed.f%02d.lm", $0) })
    let estimator = try BlazePoseEstimator(
      detector: detector, landmarker: landmarker,
      options: .init(staticImageMode: false, smoothLandmarks: smooth))
    var previous: PoseResult?
    for (i, image) in try Self.frames().enumerated() {
      let r = try #require(try estimator.process(image), "frame \(i): lost the person")
      if i == 0 {
        try expectDetectionMatchesWheel(r.detection, wheel[0], "frame 0")
        let d = largestDifference(
          rectValues(r.roi), rectValues(try #require(wheel[0].roi_from_detection).normalized))
        #expect(d <= 1e-5, "frame 0: ROI from detection differs from the wheel's by \(d)")
      } else {
        #expect(r.detection == nil, "frame \(i): the detector ran while tracking")
        #expect(r.roi == previous?.nextROI, "frame \(i): the ROI is not the previous frame's next ROI")
      }
      try expectMatchesReplay(r, file, String(format: "expect.closed.%@.f%02d", key, i))
      previous = r
    }
    #expect(detector.remaining.isEmpty && landmarker.remaining.isEmpty)
  }

  @Test func resetRunsTheDetectorAgain() throws {
    let file = try Fixtures.tensors("replay_video.safetensors")
    let detector = try ReplayModel.detector(file, ["f00.det", "f00.det"])
    let landmarker = try ReplayModel.landmarker(file, ["closed.f00.lm", "closed.f01.lm", "closed.f00.lm"])
    let estimator = try BlazePoseEstimator(
      detector: detector, landmarker: landmarker, options: .init(staticImageMode: false))
    let frames = try Self.frames()
    let first = try #require(try estimator.process(frames[0]))
    _ = try #require(try estimator.process(frames[1]))
    estimator.reset()
    let again = try #require(try estimator.process(frames[0]))
    #expect(again.detection != nil)
    #expect(again.landmarks == first.landmarks)
    #expect(again.nextROI == first.nextROI)
    #expect(detector.remaining.isEmpty && landmarker.remaining.isEmpty)
  }
}
