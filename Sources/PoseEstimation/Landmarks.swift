// PoseEstimation: landmark model decoding (heatmap refinement, letterbox removal, ROI projection, world).
import Foundation

/// The decoded landmark model outputs of one ROI, in image coordinates.
struct LandmarkStageOutput {
  /// The pose presence probability (Identity_1).
  var flag: Double
  /// All 39 landmarks (33 pose + 2 auxiliary + 4 unused), projected to normalized image coordinates.
  var landmarks: [PoseLandmark]
  /// The 33 world landmarks, rotated by the ROI rotation.
  var world: [SIMD3<Double>]
}

/// MediaPipe's TensorsToLandmarks, RefineLandmarksFromHeatmap, LandmarkLetterboxRemoval, LandmarkProjection and
/// WorldLandmarkProjection for the BlazePose GHUM landmark model.
enum LandmarkDecoder {
  /// Landmarks in the model output (33 pose, 2 auxiliary, 4 unused).
  static let count = 39
  /// The pose landmarks.
  static let poseCount = 33
  /// The model input size, the unit of the raw x, y, z.
  static let inputSize = 256.0
  /// The heatmap side.
  static let heatmapSize = 64
  /// Minimum heatmap confidence for refinement (min_confidence_to_refine).
  static let minConfidenceToRefine = 0.5

  /// Decodes the raw outputs. `raw` has 39×5 values (x, y, z, visibility logit, presence logit), `heatmap`
  /// 64×64×39 logits (HWC), `world` 39×3 metres; callers check the sizes.
  static func decode(
    raw: [Float], flag: Double, heatmap: [Float], world: [Float], roi: NormalizedRect,
    padding: LetterboxPadding,
    kernel: Int
  ) -> LandmarkStageOutput {
    var lms: [PoseLandmark] = []
    lms.reserveCapacity(count)
    for i in 0..<count {
      let x = Double(raw[i * 5]) / inputSize
      let y = Double(raw[i * 5 + 1]) / inputSize
      let z = Double(raw[i * 5 + 2]) / inputSize
      let refined = refine(x: x, y: y, landmark: i, heatmap: heatmap, kernel: kernel)
      lms.append(
        PoseLandmark(
          x: refined.x, y: refined.y, z: z, visibility: sigmoid(Double(raw[i * 5 + 3])),
          presence: sigmoid(Double(raw[i * 5 + 4]))))
    }
    let c = cos(roi.rotation)
    let s = sin(roi.rotation)
    let sx = 1.0 - padding.left - padding.right
    let sy = 1.0 - padding.top - padding.bottom
    for i in 0..<count {
      let x = (lms[i].x - padding.left) / sx
      let y = (lms[i].y - padding.top) / sy
      let z = lms[i].z / sx
      let px = x - 0.5
      let py = y - 0.5
      lms[i].x = (c * px - s * py) * roi.width + roi.xCenter
      lms[i].y = (s * px + c * py) * roi.height + roi.yCenter
      lms[i].z = z * roi.width
    }
    var w: [SIMD3<Double>] = []
    w.reserveCapacity(poseCount)
    for i in 0..<poseCount {
      let x = Double(world[i * 3])
      let y = Double(world[i * 3 + 1])
      w.append(SIMD3(c * x - s * y, s * x + c * y, Double(world[i * 3 + 2])))
    }
    return LandmarkStageOutput(flag: flag, landmarks: lms, world: w)
  }

  /// Heatmap refinement of landmark `landmark` at ROI-normalized (x, y): the confidence-weighted mean cell of
  /// the kernel×kernel window around (int(x·64), int(y·64)) when its best confidence is ≥ 0.5; else (x, y).
  static func refine(x: Double, y: Double, landmark i: Int, heatmap: [Float], kernel: Int) -> SIMD2<Double> {
    let side = heatmapSize
    let fx = x * Double(side)
    let fy = y * Double(side)
    // C++ truncates toward 0, so (-1, 0) maps to cell 0; NaN fails these tests.
    guard fx > -1, fx < Double(side), fy > -1, fy < Double(side) else { return SIMD2(x, y) }
    let col = Int(fx)
    let row = Int(fy)
    let off = (kernel - 1) / 2
    var sum = 0.0
    var best = 0.0
    var weightedCol = 0.0
    var weightedRow = 0.0
    for r in max(0, row - off)..<min(side, row + off + 1) {
      for cc in max(0, col - off)..<min(side, col + off + 1) {
        let conf = sigmoid(Double(heatmap[(r * side + cc) * count + i]))
        sum += conf
        best = max(best, conf)
        weightedCol += Double(cc) * conf
        weightedRow += Double(r) * conf
      }
    }
    guard best >= minConfidenceToRefine, sum > 0 else { return SIMD2(x, y) }
    return SIMD2(weightedCol / Double(side) / sum, weightedRow / Double(side) / sum)
  }
}
