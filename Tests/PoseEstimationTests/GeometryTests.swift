// PoseEstimationTests: anchors, the OpenCV-exact warp, detection decoding / NMS and ROI geometry.
import Foundation
import MediaIO
import ModelFiles
import Testing

@testable import PoseEstimation

@Suite struct AnchorTests {
  @Test func countsAndOrder() {
    let a = SSDAnchors.blazePose()
    #expect(a.count == 2254)
    // stride 8: 28×28 locations × 2, stride 16: 14×14 × 2, stride 32 (3 layers): 7×7 × 6
    #expect(a[0] == SIMD2(Float(0.5) / 28, Float(0.5) / 28))
    #expect(a[1] == a[0])
    #expect(a[2] == SIMD2(Float(1.5) / 28, Float(0.5) / 28))
    #expect(a[1567] == SIMD2(Float(27.5) / 28, Float(27.5) / 28))
    #expect(a[1568] == SIMD2(Float(0.5) / 14, Float(0.5) / 14))
    #expect(a[1568 + 391] == SIMD2(Float(13.5) / 14, Float(13.5) / 14))
    #expect(a[1960] == SIMD2(Float(0.5) / 7, Float(0.5) / 7))
    #expect(Set(a[1960..<1966]).count == 1 && a[1966] == SIMD2(Float(1.5) / 7, Float(0.5) / 7))
    #expect(a[2253] == SIMD2(Float(6.5) / 7, Float(6.5) / 7))
    let groups = [(0, 1568, 28), (1568, 1960, 14), (1960, 2254, 7)]
    for (lo, hi, side) in groups {
      let centres = Set(a[lo..<hi].map { [$0.x, $0.y] })
      #expect(centres.count == side * side)
    }
  }
}

@Suite struct WarpTests {
  static func randomImage(width: Int, height: Int, seed: UInt64) throws -> Image {
    var state = seed
    var px = [UInt8](repeating: 0, count: width * height * 3)
    for i in px.indices {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      px[i] = UInt8(truncatingIfNeeded: state >> 56)
    }
    return try #require(Image(width: width, height: height, pixels: px))
  }

  /// Cases made by cv2 3.4 (tools/fixtures/pipeline_replay.py --warp-only): corners, matrices, u8 warps.
  @Test func matchesOpenCV34() throws {
    let file = try Fixtures.tensors("warp_cases.safetensors")
    let meta = try #require(file.metadata["cases"]?.data(using: .utf8))
    let cases = try #require(try JSONSerialization.jsonObject(with: meta) as? [[String: Any]])
    #expect(cases.count == 9)
    let srcShape = try file.shape("src")
    let src = try #require(Image(width: srcShape[1], height: srcShape[0], pixels: try file.bytes("src")))
    for c in cases {
      let name = try #require(c["name"] as? String)
      let ow = try #require(c["out_w"] as? Int)
      let oh = try #require(c["out_h"] as? Int)
      let ptsF = try file.floats(name + ".pts")
      let pts = (0..<4).map { SIMD2(ptsF[2 * $0], ptsF[2 * $0 + 1]) }
      if let rect = c["rect"] as? [Double] {
        let mine = ImageToTensor.boxPoints(
          centerX: Float(rect[0]), centerY: Float(rect[1]), width: Float(rect[2]), height: Float(rect[3]),
          degrees: Float(rect[4]))
        #expect(
          mine.map { [$0.x.bitPattern, $0.y.bitPattern] } == pts.map { [$0.x.bitPattern, $0.y.bitPattern] })
      }
      let m = try #require(
        ImageToTensor.perspectiveTransform(from: pts, to: ImageToTensor.tensorCorners(width: ow, height: oh)))
      #expect(m.map(\.bitPattern) == (try file.doubles(name + ".M")).map(\.bitPattern), "\(name): matrix")
      // One thread, and output rows split between two (the pipeline's warps use the models' threads).
      for (border, key) in [(WarpBorder.zero, "zero"), (.replicate, "replicate")] {
        for threads in [1, 2] {
          var out = [UInt8](repeating: 7, count: ow * oh * 3)
          out.withUnsafeMutableBufferPointer {
            ImageToTensor.warpPerspective(
              src, matrix: m, outWidth: ow, outHeight: oh, border: border, into: $0, threads: threads)
          }
          let expected = try file.bytes(name + "." + key)
          let differing = zip(out, expected).filter { $0 != $1 }.count
          #expect(
            out.count == expected.count && differing == 0,
            "\(name) \(key), \(threads) thread(s): \(differing) bytes differ")
        }
      }
    }
  }

  @Test func wholeImageRectReproducesTheImage() throws {
    let image = try Self.randomImage(width: 37, height: 23, seed: 5)
    for border in [WarpBorder.zero, .replicate] {
      var out = [UInt8](repeating: 0, count: 37 * 23 * 3)
      let pad = out.withUnsafeMutableBufferPointer {
        ImageToTensor.warp(
          image, rect: NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 1, height: 1), outWidth: 37,
          outHeight: 23,
          border: border, into: $0)
      }
      #expect(pad == LetterboxPadding())
      #expect(out == image.pixels)
    }
  }

  @Test func letterboxOfWideImage() throws {
    // 64×32 into 16×16: the image fills the middle 8 rows, the rest is 0 (BORDER_ZERO).
    let image = try #require(Image(width: 64, height: 32, color: RGB(200, 100, 50)))
    var out = [UInt8](repeating: 9, count: 16 * 16 * 3)
    let pad = out.withUnsafeMutableBufferPointer {
      ImageToTensor.warp(image, rect: nil, outWidth: 16, outHeight: 16, border: .zero, into: $0)
    }
    #expect(pad == LetterboxPadding(left: 0, top: 0.25, right: 0, bottom: 0.25))
    let row = { (y: Int) in Array(out[(y * 48)..<((y + 1) * 48)]) }
    #expect(row(0) == [UInt8](repeating: 0, count: 48))
    #expect(row(3) == [UInt8](repeating: 0, count: 48))
    #expect(row(4) == [UInt8]((0..<16).flatMap { _ in [200, 100, 50] as [UInt8] }))
    #expect(row(11) == row(4))
    #expect(row(12) == [UInt8](repeating: 0, count: 48))
  }

  @Test func degenerateRectsWriteNothing() throws {
    let image = try Self.randomImage(width: 8, height: 8, seed: 1)
    for rect in [
      NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 0, height: 1),
      NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: .nan, height: 1),
      NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: -1, height: 1),
    ] {
      var out = [UInt8](repeating: 9, count: 4 * 4 * 3)
      let pad = out.withUnsafeMutableBufferPointer {
        ImageToTensor.warp(image, rect: rect, outWidth: 4, outHeight: 4, border: .zero, into: $0)
      }
      #expect(pad == nil)
      #expect(out == [UInt8](repeating: 9, count: 48))
    }
  }

  @Test func hugeAndNonFiniteRectsDoNotTrap() throws {
    let image = try Self.randomImage(width: 8, height: 8, seed: 2)
    for rect in [
      NormalizedRect(xCenter: 1e30, yCenter: -1e30, width: 1e30, height: 1e30, rotation: 1),
      NormalizedRect(xCenter: .infinity, yCenter: 0.5, width: 1, height: 1),
      NormalizedRect(xCenter: 0.5, yCenter: 0.5, width: 1, height: 1, rotation: .nan),
    ] {
      for border in [WarpBorder.zero, .replicate] {
        var out = [UInt8](repeating: 9, count: 4 * 4 * 3)
        _ = out.withUnsafeMutableBufferPointer {
          ImageToTensor.warp(image, rect: rect, outWidth: 4, outHeight: 4, border: border, into: $0)
        }
      }
    }
  }

  @Test func conversionTablesAreTheWheels() throws {
    let file = try Fixtures.tensors("replay_static.safetensors")
    let det = ImageToTensor.conversionTable(lo: -1, hi: 1)
    let lm = ImageToTensor.conversionTable(lo: 0, hi: 1)
    #expect(det.map(\.bitPattern) == (try file.floats("tables.f32_m1_1")).map(\.bitPattern))
    #expect(lm.map(\.bitPattern) == (try file.floats("tables.f32_0_1")).map(\.bitPattern))
    #expect(det[0] == -1 && lm[0] == 0 && lm[255] == 1)
  }
}

@Suite struct DetectionTests {
  static func det(_ score: Double, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> RawDetection {
    RawDetection(
      score: score, xmin: x0, ymin: y0, xmax: x1, ymax: y1,
      keypoints: [SIMD2(x0, y0), SIMD2(x1, y1), SIMD2(x0, y1), SIMD2(x1, y0)])
  }

  @Test func weightedNMS() {
    let a = Self.det(0.6, 0.10, 0.10, 0.30, 0.30)
    let b = Self.det(0.9, 0.12, 0.12, 0.32, 0.32)  // IoU(a, b) ≈ 0.68
    let c = Self.det(0.8, 0.60, 0.60, 0.80, 0.80)  // disjoint
    let d = Self.det(0.7, 0.30, 0.30, 0.50, 0.50)  // touches a/b barely: IoU(b, d) ≈ 0.01
    let out = DetectionDecoder.weightedNMS([a, b, c, d])
    #expect(out.count == 3)
    #expect(out.map(\.score) == [0.9, 0.8, 0.7])
    let w = 0.6 + 0.9
    let xmin = (0.12 * 0.9 + 0.10 * 0.6) / w
    #expect(abs(out[0].xmin - xmin) < 1e-15)
    #expect(abs(out[0].xmax - (0.32 * 0.9 + 0.30 * 0.6) / w) < 1e-15)
    #expect(abs(out[0].keypoints[1].x - (0.32 * 0.9 + 0.30 * 0.6) / w) < 1e-15)
    for (o, e) in [(out[1], c), (out[2], d)] {
      #expect(abs(o.xmin - e.xmin) < 1e-15 && abs(o.ymax - e.ymax) < 1e-15)
      #expect(abs(o.keypoints[3].x - e.keypoints[3].x) < 1e-15)
    }
    #expect(DetectionDecoder.weightedNMS([]).isEmpty)
  }

  @Test func iouThresholdIsStrict() {
    // Two unit squares overlapping by half: IoU = 0.5 / 1.5 = 1/3, merged only when above the threshold.
    let a = Self.det(0.9, 0, 0, 1, 1)
    let b = Self.det(0.8, 0.5, 0, 1.5, 1)
    #expect(abs(DetectionDecoder.iou(a, b) - 1.0 / 3.0) < 1e-15)
    #expect(DetectionDecoder.weightedNMS([a, b], threshold: 1.0 / 3.0).count == 2)
    #expect(DetectionDecoder.weightedNMS([a, b], threshold: 0.3).count == 1)
  }

  @Test func decodeKeepsScoreAtThreshold() {
    let anchors = SSDAnchors.blazePose()
    var boxes = [Float](repeating: 0, count: anchors.count * 12)
    var logits = [Float](repeating: -1000, count: anchors.count)
    logits[5] = 0  // sigmoid 0.5: kept (dropped only if < min score)
    logits[7] = -1e-6
    boxes[5 * 12 + 2] = 28  // w = 0.125
    boxes[5 * 12 + 3] = 56  // h = 0.25
    boxes[5 * 12 + 4] = 14  // keypoint 0 x offset = 0.0625
    logits[9] = 5
    boxes[9 * 12 + 2] = -1  // negative width: dropped
    let out = DetectionDecoder.decode(boxes: boxes, logits: logits, anchors: anchors, minScore: 0.5)
    #expect(out.count == 1)
    let d = out[0]
    #expect(d.score == 0.5)
    let ax = Double(anchors[5].x)
    let ay = Double(anchors[5].y)
    #expect(d.xmin == ax - 0.0625 && d.xmax == ax + 0.0625 && d.ymin == ay - 0.125 && d.ymax == ay + 0.125)
    #expect(d.keypoints[0] == SIMD2(ax + 0.0625, ay) && d.keypoints[1] == SIMD2(ax, ay))
  }

  @Test func letterboxRemoval() {
    let d = Self.det(0.7, 0.2, 0.25, 0.6, 0.75)
    let p = DetectionDecoder.removeLetterbox(d, LetterboxPadding(left: 0, top: 0.25, right: 0, bottom: 0.25))
    #expect(p.box == NormalizedBox(xmin: 0.2, ymin: 0, width: 0.39999999999999997, height: 1))
    #expect(p.keypoints[0] == SIMD2(0.2, 0))
  }

  @Test func normalizeRadians() {
    #expect(ROIGeometry.normalizeRadians(0) == 0)
    #expect(ROIGeometry.normalizeRadians(Double.pi) == -Double.pi)
    #expect(ROIGeometry.normalizeRadians(-Double.pi) == -Double.pi)
    #expect(abs(ROIGeometry.normalizeRadians(3 * Double.pi / 2) + Double.pi / 2) < 1e-15)
    #expect(abs(ROIGeometry.normalizeRadians(-3 * Double.pi / 2) - Double.pi / 2) < 1e-15)
    #expect(abs(ROIGeometry.normalizeRadians(7) - (7 - 2 * Double.pi)) < 1e-15)
    for a in stride(from: -20.0, through: 20, by: 0.37) {
      let n = ROIGeometry.normalizeRadians(a)
      #expect(n >= -Double.pi && n < Double.pi)
      #expect(abs(sin(n) - sin(a)) < 1e-12 && abs(cos(n) - cos(a)) < 1e-12)
    }
  }

  @Test func uprightPersonROI() {
    // hip centre at (320, 420) px, the scale point 200 px straight above it, in a 640×480 image
    let r = ROIGeometry.roi(
      from: SIMD2(0.5, 420.0 / 480), to: SIMD2(0.5, 220.0 / 480), imageWidth: 640, imageHeight: 480)
    #expect(r.rotation == 0)
    #expect(r.xCenter == 0.5 && r.yCenter == 420.0 / 480)
    // 2·200 px × 1.25 = 500 px, square in pixels
    #expect(abs(r.width * 640 - 500) < 1e-9 && abs(r.height * 480 - 500) < 1e-9)
    // lying to the right: the scale point to the right of the hips means a quarter turn clockwise
    let lying = ROIGeometry.roi(from: SIMD2(0.5, 0.5), to: SIMD2(0.7, 0.5), imageWidth: 100, imageHeight: 100)
    #expect(abs(lying.rotation - Double.pi / 2) < 1e-15)
    let upsideDown = ROIGeometry.roi(
      from: SIMD2(0.5, 0.5), to: SIMD2(0.5, 0.7), imageWidth: 100, imageHeight: 100)
    #expect(upsideDown.rotation == -Double.pi)
  }
}
