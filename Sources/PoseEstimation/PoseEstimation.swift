// PoseEstimation: the BlazePose pipeline (detector, ROI, landmarks, tracking, smoothing) on NeuralEngine.
import MediaIO

/// Runs one neural network on one NHWC float32 input tensor.
public protocol TensorModel: AnyObject {
  /// The input shape, e.g. [1, 224, 224, 3].
  var inputShape: [Int] { get }
  /// Runs the model on `input` (count = product of inputShape) and returns every output by tensor name.
  func run(_ input: UnsafeBufferPointer<Float>) throws -> [String: [Float]]
  /// Threads the model runs on; the pipeline splits its image warps the same way.
  var threadCount: Int { get }
}

extension TensorModel {
  /// One thread, unless the model says otherwise.
  public var threadCount: Int { 1 }
}

/// Why the BlazePose pipeline could not run.
public struct PoseEstimationError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The kind of failure.
  public enum Kind: String, Sendable, Equatable {
    /// A model's input shape is not the one BlazePose needs.
    case badInputShape
    /// A model did not return an output tensor the pipeline reads.
    case missingOutput
    /// A model output has the wrong number of values.
    case badOutputSize
    /// An option is out of range.
    case badOption
  }

  /// The kind of failure.
  public let kind: Kind
  /// What went wrong and what to do about it.
  public let reason: String

  /// Creates an error.
  public init(_ kind: Kind, _ reason: String) {
    self.kind = kind
    self.reason = reason
  }

  public var description: String { reason }
}

/// A rotated rectangle in normalized image coordinates (MediaPipe's NormalizedRect).
///
/// The centre and size are fractions of the image width (x) and height (y). `rotation` is in radians, clockwise
/// on screen (image y points down), in [-π, π) for rectangles built by the pipeline.
public struct NormalizedRect: Sendable, Equatable {
  /// Centre x, as a fraction of the image width.
  public var xCenter: Double
  /// Centre y, as a fraction of the image height.
  public var yCenter: Double
  /// Width, as a fraction of the image width.
  public var width: Double
  /// Height, as a fraction of the image height.
  public var height: Double
  /// Rotation in radians.
  public var rotation: Double

  /// Creates a rectangle.
  public init(xCenter: Double, yCenter: Double, width: Double, height: Double, rotation: Double = 0) {
    self.xCenter = xCenter
    self.yCenter = yCenter
    self.width = width
    self.height = height
    self.rotation = rotation
  }
}

/// An axis-aligned box in normalized image coordinates.
public struct NormalizedBox: Sendable, Equatable {
  /// Left edge, as a fraction of the image width.
  public var xmin: Double
  /// Top edge, as a fraction of the image height.
  public var ymin: Double
  /// Width, as a fraction of the image width.
  public var width: Double
  /// Height, as a fraction of the image height.
  public var height: Double

  /// Creates a box.
  public init(xmin: Double, ymin: Double, width: Double, height: Double) {
    self.xmin = xmin
    self.ymin = ymin
    self.width = width
    self.height = height
  }
}

/// The person found by the pose detector, in normalized image coordinates (letterbox removed).
public struct PoseDetection: Sendable, Equatable {
  /// The detector's score (sigmoid of its logit), in [0, 1].
  public var score: Double
  /// The face box.
  public var box: NormalizedBox
  /// The 4 keypoints: 0 mid-hip, 1 full-body size/rotation point, 2 mid-shoulder, 3 upper-body point.
  public var keypoints: [SIMD2<Double>]

  /// Creates a detection.
  public init(score: Double, box: NormalizedBox, keypoints: [SIMD2<Double>]) {
    self.score = score
    self.box = box
    self.keypoints = keypoints
  }
}

/// One of the 33 BlazePose landmarks.
public struct PoseLandmark: Sendable, Equatable {
  /// x as a fraction of the image width (may be outside [0, 1] for points off the image).
  public var x: Double
  /// y as a fraction of the image height.
  public var y: Double
  /// Depth in the units of x (image widths), relative to the hips; smaller is nearer the camera.
  public var z: Double
  /// How likely the point is visible (not occluded), in [0, 1].
  public var visibility: Double
  /// How likely the point is inside the image, in [0, 1].
  public var presence: Double

  /// Creates a landmark.
  public init(x: Double, y: Double, z: Double, visibility: Double, presence: Double) {
    self.x = x
    self.y = y
    self.z = z
    self.visibility = visibility
    self.presence = presence
  }
}

/// The pose found in one image.
public struct PoseResult: Sendable {
  /// The image width in pixels.
  public var imageWidth: Int
  /// The image height in pixels.
  public var imageHeight: Int
  /// The landmark model's pose presence probability (above `minTrackingConfidence`).
  public var poseScore: Double
  /// The detection the ROI was built from; nil when the ROI was tracked from the previous frame.
  public var detection: PoseDetection?
  /// The region the landmark model looked at.
  public var roi: NormalizedRect
  /// The region built from this result's auxiliary landmarks: the next frame's ROI in video mode.
  public var nextROI: NormalizedRect?
  /// The 33 landmarks, in BlazePose order (see PoseCore's `BlazePose33`).
  public var landmarks: [PoseLandmark]
  /// The 33 world landmarks in metres, origin at the hip centre, y down; their visibilities are those of
  /// `landmarks`.
  public var worldLandmarks: [SIMD3<Double>]

  /// Creates a result.
  public init(
    imageWidth: Int, imageHeight: Int, poseScore: Double, detection: PoseDetection?, roi: NormalizedRect,
    nextROI: NormalizedRect?, landmarks: [PoseLandmark], worldLandmarks: [SIMD3<Double>]
  ) {
    self.imageWidth = imageWidth
    self.imageHeight = imageHeight
    self.poseScore = poseScore
    self.detection = detection
    self.roi = roi
    self.nextROI = nextROI
    self.landmarks = landmarks
    self.worldLandmarks = worldLandmarks
  }

  /// Landmark `i` (0..<33) in image pixels.
  public func pixel(_ i: Int) -> SIMD2<Double> {
    SIMD2(landmarks[i].x * Double(imageWidth), landmarks[i].y * Double(imageHeight))
  }
}

/// Where the time of the last `process` call went, in milliseconds of a monotonic clock.
public struct StageTimings: Sendable, Equatable {
  /// Running the detector network (0 when the ROI was tracked).
  public var detectorMs: Double = 0
  /// Running the landmark network.
  public var landmarkMs: Double = 0
  /// Warping and converting the images into the input tensors.
  public var preprocessMs: Double = 0
  /// Decoding, ROI geometry, smoothing and tracking.
  public var postprocessMs: Double = 0

  /// Creates timings.
  public init(
    detectorMs: Double = 0, landmarkMs: Double = 0, preprocessMs: Double = 0, postprocessMs: Double = 0
  ) {
    self.detectorMs = detectorMs
    self.landmarkMs = landmarkMs
    self.preprocessMs = preprocessMs
    self.postprocessMs = postprocessMs
  }

  /// The sum of the stages.
  public var totalMs: Double { detectorMs + landmarkMs + preprocessMs + postprocessMs }
}
