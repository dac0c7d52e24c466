// PoseEstimationTests: the estimator's contract — shapes, options, output checks, presence gate, refinement.
import Foundation
import MediaIO
import Testing

@testable import PoseEstimation

/// A model returning fixed outputs, counting its calls.
final class StubModel: TensorModel {
  let inputShape: [Int]
  var outputs: [String: [Float]]
  private(set) var calls = 0

  init(inputShape: [Int], outputs: [String: [Float]]) {
    self.inputShape = inputShape
    self.outputs = outputs
  }

  func run(_ input: UnsafeBufferPointer<Float>) throws -> [String: [Float]] {
    calls += 1
    guard input.count == inputShape.reduce(1, *) else { throw TestFailure("input has \(input.count) values") }
    return outputs
  }

  /// A detector finding one person: anchor 100 with logit `logit`, keypoint 1 straight above keypoint 0.
  static func detector(logit: Float = 3) -> StubModel {
    var boxes = [Float](repeating: 0, count: 2254 * 12)
    var logits = [Float](repeating: -50, count: 2254)
    logits[100] = logit
    boxes[100 * 12 + 2] = 40
    boxes[100 * 12 + 3] = 40
    boxes[100 * 12 + 7] = -30  // keypoint 1 y
    return StubModel(inputShape: [1, 224, 224, 3], outputs: ["Identity": boxes, "Identity_1": logits])
  }

  /// A landmark model with all landmarks at the ROI centre, presence `flag`, heatmap logits `heat`.
  static func landmarker(flag: Float, heat: Float = -20) -> StubModel {
    var raw = [Float](repeating: 0, count: 195)
    for i in 0..<39 {
      raw[i * 5] = 128
      raw[i * 5 + 1] = 128
      raw[i * 5 + 3] = 2
      raw[i * 5 + 4] = 3
    }
    raw[34 * 5 + 1] = 64  // auxiliary point 34 above point 33
    return StubModel(
      inputShape: [1, 256, 256, 3],
      outputs: [
        "Identity": raw, "Identity_1": [flag], "Identity_2": [],
        "Identity_3": [Float](repeating: heat, count: 64 * 64 * 39),
        "Identity_4": [Float](repeating: 0.25, count: 117),
      ])
  }
}

@Suite struct EstimatorTests {
  static let image = Image(width: 64, height: 48, color: RGB(90, 90, 90))!
  static let roi = NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 0.75, height: 1)

  @Test func rejectsWrongInputShapes() {
    let lm = StubModel.landmarker(flag: 0.9)
    let wrong = StubModel(inputShape: [1, 128, 128, 3], outputs: [:])
    #expect(throws: PoseEstimationError.self) { try BlazePoseEstimator(detector: wrong, landmarker: lm) }
    #expect(throws: PoseEstimationError.self) {
      try BlazePoseEstimator(detector: StubModel.detector(), landmarker: wrong)
    }
    do {
      _ = try BlazePoseEstimator(detector: lm, landmarker: lm)
      Issue.record("a landmark model accepted as detector")
    } catch let e as PoseEstimationError {
      #expect(e.kind == .badInputShape && e.description.contains("[1, 224, 224, 3]"))
    } catch { Issue.record("unexpected \(error)") }
  }

  @Test func rejectsBadOptions() {
    for o in [
      BlazePoseEstimator.Options(heatmapKernel: 0), BlazePoseEstimator.Options(minDetectionConfidence: .nan),
      BlazePoseEstimator.Options(minTrackingConfidence: 1.5),
    ] {
      #expect(throws: PoseEstimationError.self) {
        try BlazePoseEstimator(
          detector: StubModel.detector(), landmarker: StubModel.landmarker(flag: 1), options: o)
      }
    }
  }

  @Test func presenceGateIsStrict() throws {
    let lm = StubModel.landmarker(flag: 0.5)
    let e = try BlazePoseEstimator(detector: StubModel.detector(), landmarker: lm)
    #expect(try e.landmarks(on: Self.image, roi: Self.roi) == nil)
    lm.outputs["Identity_1"] = [Float(0.5).nextUp]
    let r = try #require(try e.landmarks(on: Self.image, roi: Self.roi))
    #expect(r.poseScore == Double(Float(0.5).nextUp))
    lm.outputs["Identity_1"] = [.nan]
    #expect(try e.landmarks(on: Self.image, roi: Self.roi) == nil)
  }

  @Test func stubPipelineGeometry() throws {
    let det = StubModel.detector()
    let lm = StubModel.landmarker(flag: 0.9)
    let e = try BlazePoseEstimator(detector: det, landmarker: lm)
    let r = try #require(try e.process(Self.image))
    let d = try #require(r.detection)
    #expect(abs(d.score - 1 / (1 + exp(-3.0))) < 1e-12)
    // upright: keypoint 1 straight above keypoint 0, so the ROI is not rotated
    #expect(r.roi.rotation == 0)
    #expect(abs(r.roi.width * 64 - r.roi.height * 48) < 1e-9)
    // every landmark at the ROI centre (heatmap cold: no refinement), world rotated by 0
    for l in r.landmarks {
      // (the ROI is square in pixels up to float32 rounding, hence a tiny letterbox)
      #expect(abs(l.x - r.roi.xCenter) < 1e-6 && abs(l.y - r.roi.yCenter) < 1e-6)
      #expect(abs(l.visibility - 1 / (1 + exp(-2.0))) < 1e-12)
    }
    #expect(r.worldLandmarks.allSatisfy { $0 == SIMD3(0.25, 0.25, 0.25) })
    #expect(r.pixel(0) == SIMD2(r.landmarks[0].x * 64, r.landmarks[0].y * 48))
    // static mode runs the detector on every call
    _ = try e.process(Self.image)
    #expect(det.calls == 2 && lm.calls == 2)
  }

  @Test func videoModeTracksAndRedetectsAfterLoss() throws {
    let det = StubModel.detector()
    let lm = StubModel.landmarker(flag: 0.9)
    let e = try BlazePoseEstimator(detector: det, landmarker: lm, options: .init(staticImageMode: false))
    let first = try #require(try e.process(Self.image))
    #expect(first.detection != nil)
    let second = try #require(try e.process(Self.image))
    #expect(second.detection == nil && second.roi == first.nextROI)
    #expect(det.calls == 1)
    lm.outputs["Identity_1"] = [0.1]
    #expect(try e.process(Self.image) == nil)
    #expect(det.calls == 1)  // the lost frame has no output and no re-detection
    lm.outputs["Identity_1"] = [0.9]
    let again = try #require(try e.process(Self.image))
    #expect(again.detection != nil && det.calls == 2)
    // no detection: nothing, and the next call detects again
    det.outputs["Identity_1"] = [Float](repeating: -50, count: 2254)
    e.reset()
    #expect(try e.process(Self.image) == nil)
    #expect(det.calls == 3)
  }

  @Test func detectionScoreThreshold() throws {
    let lm = StubModel.landmarker(flag: 0.9)
    let e = try BlazePoseEstimator(detector: StubModel.detector(logit: 0), landmarker: lm)
    #expect(try e.process(Self.image)?.detection?.score == 0.5)
    let e2 = try BlazePoseEstimator(detector: StubModel.detector(logit: -0.001), landmarker: lm)
    #expect(try e2.process(Self.image) == nil)
  }

  @Test func missingOrWrongOutputsThrow() throws {
    let lm = StubModel.landmarker(flag: 0.9)
    let e = try BlazePoseEstimator(detector: StubModel.detector(), landmarker: lm)
    lm.outputs["Identity_4"] = nil
    do {
      _ = try e.landmarks(on: Self.image, roi: Self.roi)
      Issue.record("a missing world tensor was accepted")
    } catch let x as PoseEstimationError {
      #expect(x.kind == .missingOutput && x.description.contains("Identity_4"))
    }
    lm.outputs["Identity_4"] = [0]
    do {
      _ = try e.landmarks(on: Self.image, roi: Self.roi)
      Issue.record("a 1-value world tensor was accepted")
    } catch let x as PoseEstimationError {
      #expect(x.kind == .badOutputSize && x.description.contains("Identity_4"))
    }
  }

  @Test func nonFiniteOutputsDoNotTrap() throws {
    let lm = StubModel.landmarker(flag: 0.9, heat: .nan)
    var raw = [Float](repeating: .nan, count: 195)
    raw[3] = .infinity
    raw[5] = 1e30
    raw[6] = -1e30
    lm.outputs["Identity"] = raw
    let e = try BlazePoseEstimator(
      detector: StubModel.detector(), landmarker: lm, options: .init(staticImageMode: false))
    _ = try e.landmarks(on: Self.image, roi: Self.roi)
    // NaN landmarks give a NaN next ROI, which the next frame cannot use: no pose, then a new detection
    let first = try #require(try e.process(Self.image))
    #expect(first.landmarks[0].x.isNaN)
    #expect(try e.process(Self.image) == nil)
    #expect(try e.process(Self.image) != nil)
    let det = StubModel.detector()
    det.outputs["Identity"] = [Float](repeating: .nan, count: 2254 * 12)
    det.outputs["Identity_1"] = [Float](repeating: .nan, count: 2254)
    let e2 = try BlazePoseEstimator(detector: det, landmarker: lm)
    #expect(try e2.process(Self.image) == nil)
  }

  @Test func zeroAreaROIGivesNoPose() throws {
    let e = try BlazePoseEstimator(
      detector: StubModel.detector(), landmarker: StubModel.landmarker(flag: 0.9))
    #expect(
      try e.landmarks(on: Self.image, roi: NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 0, height: 0))
        == nil)
  }

  @Test func heatmapRefinement() {
    // a hot cell at row 30, col 34 near the landmark's cell (32, 32)
    var heat = [Float](repeating: -30, count: 64 * 64 * 39)
    heat[(30 * 64 + 34) * 39 + 7] = 30
    let r = LandmarkDecoder.refine(x: 0.5, y: 0.5, landmark: 7, heatmap: heat, kernel: 9)
    #expect(abs(r.x - 34.0 / 64) < 1e-9 && abs(r.y - 30.0 / 64) < 1e-9)
    // another landmark's channel is cold: unchanged
    #expect(LandmarkDecoder.refine(x: 0.5, y: 0.5, landmark: 8, heatmap: heat, kernel: 9) == SIMD2(0.5, 0.5))
    // the hot cell is outside a 3×3 window: unchanged
    #expect(LandmarkDecoder.refine(x: 0.5, y: 0.5, landmark: 7, heatmap: heat, kernel: 3) == SIMD2(0.5, 0.5))
    // a cell 4 away is inside kernel 9 only
    #expect(LandmarkDecoder.refine(x: 30.0 / 64, y: 34.5 / 64, landmark: 7, heatmap: heat, kernel: 9).y < 0.5)
    #expect(
      LandmarkDecoder.refine(x: 30.0 / 64, y: 35.0 / 64, landmark: 7, heatmap: heat, kernel: 9)
        == SIMD2(30.0 / 64, 35.0 / 64))
    // outside the map, or slightly negative (C++ truncation maps (-1/64, 0) to cell 0)
    #expect(LandmarkDecoder.refine(x: 1.2, y: 0.5, landmark: 7, heatmap: heat, kernel: 9) == SIMD2(1.2, 0.5))
    heat[(0 * 64 + 0) * 39 + 7] = 30
    let corner = LandmarkDecoder.refine(x: -0.01, y: -0.01, landmark: 7, heatmap: heat, kernel: 9)
    #expect(abs(corner.x) < 1e-9 && abs(corner.y) < 1e-9)
    #expect(LandmarkDecoder.refine(x: -0.02, y: 0, landmark: 7, heatmap: heat, kernel: 9) == SIMD2(-0.02, 0))
  }
}

@Suite struct SmoothingTests {
  @Test func oneEuroFilterFollowsMediaPipe() {
    // first value passes; then α(cutoff) blending with the derivative-driven cutoff, in float32 state
    var f = OneEuroFilter(minCutoff: 0.05, beta: 80)
    #expect(f.apply(nanos: 33_333_000, valueScale: 0.01, value: 100) == 100)
    let v = f.apply(nanos: 66_666_000, valueScale: 0.01, value: 110)
    let freq = 1 / (33_333_000.0 * 1e-9)
    func alpha(_ c: Double) -> Double { 1 / (1 + (1 / (2 * Double.pi * c)) / (1 / freq)) }
    let dx = Float(Double(Float(alpha(1)) * Float(10 * 0.01 * freq)))
    let cutoff = Double(Float(0.05)) + 80 * Double(dx)
    let a = Float(alpha(cutoff))
    let expected = Float(Double(a * 110) + (1 - Double(a)) * 100)
    #expect(v == Double(expected))
    // a timestamp that does not advance returns the raw value
    #expect(f.apply(nanos: 66_666_000, valueScale: 0.01, value: 123.5) == 123.5)
  }

  @Test func visibilityLowPass() {
    var s = LandmarkSmoother(count: 1, minCutoff: 0.1, beta: 40, normalized: false)
    let a = s.apply(
      points: [.zero], visibilities: [1], nanos: 1000, imageWidth: 1, imageHeight: 1, objectScale: 1)
    #expect(a.visibilities == [1])
    let b = s.apply(
      points: [.zero], visibilities: [0], nanos: 2000, imageWidth: 1, imageHeight: 1, objectScale: 1)
    #expect(b.visibilities == [Double(Float(0.9))])
  }

  @Test func tinyObjectScaleDisablesCoordinateSmoothing() {
    var s = LandmarkSmoother(count: 1, minCutoff: 0.05, beta: 80, normalized: true)
    let p = [SIMD3(0.3, 0.4, 0.1)]
    _ = s.apply(points: p, visibilities: [1], nanos: 1000, imageWidth: 10, imageHeight: 10, objectScale: 1e-7)
    let out = s.apply(
      points: [SIMD3(0.9, 0.9, 0.9)], visibilities: [1], nanos: 2000, imageWidth: 10, imageHeight: 10,
      objectScale: 1e-7)
    #expect(out.points == [SIMD3(0.9, 0.9, 0.9)])
  }
}
