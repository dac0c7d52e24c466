// PoseEstimation: detector decoding (SSD boxes, weighted NMS, letterbox removal) and ROI geometry.
import Foundation

/// One decoded detector box in the letterboxed 224×224 tensor space, normalized.
struct RawDetection: Equatable {
  var score: Double
  var xmin: Double
  var ymin: Double
  var xmax: Double
  var ymax: Double
  /// The 4 keypoints.
  var keypoints: [SIMD2<Double>]
}

/// MediaPipe's TensorsToDetectionsCalculator and NonMaxSuppressionCalculator with the BlazePose options.
enum DetectionDecoder {
  /// Values per box: dx, dy, w, h and 4 keypoints × (x, y).
  static let valuesPerBox = 12
  /// The scale of the raw box values (the input size).
  static let scale = 224.0
  /// Logits are clamped to ±this before the sigmoid.
  static let scoreClip = 100.0

  /// Decodes every box whose score (sigmoid of the clamped logit) is ≥ `minScore`. `boxes` holds
  /// `anchors.count × 12` values, `logits` one per anchor (callers check the sizes). Boxes with a negative or
  /// NaN width or height, and NaN scores, are dropped.
  static func decode(boxes: [Float], logits: [Float], anchors: [SIMD2<Float>], minScore: Double)
    -> [RawDetection]
  {
    var out: [RawDetection] = []
    let n = min(anchors.count, logits.count, boxes.count / valuesPerBox)
    for i in 0..<n {
      let logit = min(max(Double(logits[i]), -scoreClip), scoreClip)
      let score = sigmoid(logit)
      if score.isNaN || score < minScore { continue }
      let ax = Double(anchors[i].x)
      let ay = Double(anchors[i].y)
      let r = i * valuesPerBox
      let xc = Double(boxes[r]) / scale + ax
      let yc = Double(boxes[r + 1]) / scale + ay
      let w = Double(boxes[r + 2]) / scale
      let h = Double(boxes[r + 3]) / scale
      if !(w >= 0 && h >= 0) { continue }
      var kps: [SIMD2<Double>] = []
      for k in 0..<4 {
        kps.append(
          SIMD2(Double(boxes[r + 4 + 2 * k]) / scale + ax, Double(boxes[r + 5 + 2 * k]) / scale + ay))
      }
      out.append(
        RawDetection(
          score: score, xmin: xc - w / 2.0, ymin: yc - h / 2.0, xmax: xc + w / 2.0, ymax: yc + h / 2.0,
          keypoints: kps))
    }
    return out
  }

  /// Intersection over union of two boxes; 0 when they do not overlap.
  static func iou(_ a: RawDetection, _ b: RawDetection) -> Double {
    let ix0 = max(a.xmin, b.xmin)
    let iy0 = max(a.ymin, b.ymin)
    let ix1 = min(a.xmax, b.xmax)
    let iy1 = min(a.ymax, b.ymax)
    if ix1 <= ix0 || iy1 <= iy0 { return 0 }
    let inter = (ix1 - ix0) * (iy1 - iy0)
    let union = (a.xmax - a.xmin) * (a.ymax - a.ymin) + (b.xmax - b.xmin) * (b.ymax - b.ymin) - inter
    return union > 0 ? inter / union : 0
  }

  /// Weighted non-maximum suppression (WEIGHTED, IoU > `threshold`): repeatedly takes the best remaining box
  /// and replaces it and every box overlapping it by their score-weighted mean; the output keeps the top score.
  /// Ties in score keep the input order.
  static func weightedNMS(_ detections: [RawDetection], threshold: Double = 0.3) -> [RawDetection] {
    var remaining = detections.indices.sorted {
      detections[$0].score != detections[$1].score ? detections[$0].score > detections[$1].score : $0 < $1
    }
    var out: [RawDetection] = []
    while let first = remaining.first {
      let top = detections[first]
      var candidates: [Int] = []
      var rest: [Int] = []
      for i in remaining {
        if iou(detections[i], top) > threshold { candidates.append(i) } else { rest.append(i) }
      }
      if candidates.isEmpty {
        out.append(top)
      } else {
        var total = 0.0
        var box = SIMD4<Double>(repeating: 0)
        var kps = [SIMD2<Double>](repeating: .zero, count: top.keypoints.count)
        for i in candidates {
          let d = detections[i]
          let s = d.score
          total += s
          box += SIMD4(d.xmin, d.ymin, d.xmax, d.ymax) * s
          for k in 0..<min(kps.count, d.keypoints.count) { kps[k] += d.keypoints[k] * s }
        }
        box /= total
        out.append(
          RawDetection(
            score: top.score, xmin: box[0], ymin: box[1], xmax: box[2], ymax: box[3],
            keypoints: kps.map { $0 / total }))
      }
      if rest.count == remaining.count { break }
      remaining = rest
    }
    return out
  }

  /// Maps a detection from the letterboxed tensor space back to the image (DetectionLetterboxRemoval).
  static func removeLetterbox(_ d: RawDetection, _ pad: LetterboxPadding) -> PoseDetection {
    let sx = 1.0 - pad.left - pad.right
    let sy = 1.0 - pad.top - pad.bottom
    let x0 = (d.xmin - pad.left) / sx
    let y0 = (d.ymin - pad.top) / sy
    let x1 = (d.xmax - pad.left) / sx
    let y1 = (d.ymax - pad.top) / sy
    return PoseDetection(
      score: d.score, box: NormalizedBox(xmin: x0, ymin: y0, width: x1 - x0, height: y1 - y0),
      keypoints: d.keypoints.map { SIMD2(($0.x - pad.left) / sx, ($0.y - pad.top) / sy) })
  }
}

/// ROI geometry of the pose graphs.
enum ROIGeometry {
  /// MediaPipe's NormalizeRadians: `angle` wrapped into [-π, π).
  static func normalizeRadians(_ angle: Double) -> Double {
    angle - 2 * Double.pi * ((angle + Double.pi) / (2 * Double.pi)).rounded(.down)
  }

  /// AlignmentPointsRectsCalculator with rotation target 90°: a square (in pixels) centred on `p0`, of side
  /// 2·|p1 − p0|, rotated so that p1 is straight above p0. Points are normalized; so is the result.
  static func rect(from p0: SIMD2<Double>, to p1: SIMD2<Double>, imageWidth: Int, imageHeight: Int)
    -> NormalizedRect
  {
    let w = Double(imageWidth)
    let h = Double(imageHeight)
    let x0 = p0.x * w
    let y0 = p0.y * h
    let x1 = p1.x * w
    let y1 = p1.y * h
    let size = ((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)).squareRoot() * 2.0
    let rotation = normalizeRadians(Double.pi / 2.0 - atan2(-(y1 - y0), x1 - x0))
    return NormalizedRect(
      xCenter: x0 / w, yCenter: y0 / h, width: size / w, height: size / h, rotation: rotation)
  }

  /// RectTransformationCalculator with scale 1.25 and square_long: the long side (in pixels) ×1.25, square.
  static func enlarge(_ r: NormalizedRect, imageWidth: Int, imageHeight: Int, scale: Double = 1.25)
    -> NormalizedRect
  {
    let w = Double(imageWidth)
    let h = Double(imageHeight)
    let longSide = max(r.width * w, r.height * h)
    return NormalizedRect(
      xCenter: r.xCenter, yCenter: r.yCenter, width: longSide / w * scale, height: longSide / h * scale,
      rotation: r.rotation)
  }

  /// The landmark ROI of two alignment points (detector keypoints 0, 1 or auxiliary landmarks 33, 34).
  static func roi(from p0: SIMD2<Double>, to p1: SIMD2<Double>, imageWidth: Int, imageHeight: Int)
    -> NormalizedRect
  {
    enlarge(
      rect(from: p0, to: p1, imageWidth: imageWidth, imageHeight: imageHeight), imageWidth: imageWidth,
      imageHeight: imageHeight)
  }
}

/// The logistic function.
@inline(__always)
func sigmoid(_ x: Double) -> Double { 1.0 / (1.0 + exp(-x)) }
