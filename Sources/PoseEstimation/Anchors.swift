// PoseEstimation: the SSD anchors of the BlazePose detector (MediaPipe SsdAnchorsCalculator).

/// SSD anchor generation with the options of pose_detection_cpu.pbtxt.
///
/// All anchors have a fixed size of 1×1 (`fixed_anchor_size`), so only their centres are kept. Layers with the
/// same stride share one feature map; each location gets 2 anchors per such layer (one per aspect ratio, plus
/// the interpolated one). Order: layer group, then y, then x, then the anchor within the location.
enum SSDAnchors {
  /// The detector's input size.
  static let inputSize = 224
  /// The strides of the 5 layers.
  static let strides = [8, 16, 32, 32, 32]
  /// Anchors per location and per layer: 1 aspect ratio (1.0) + 1 interpolated anchor.
  static let anchorsPerLayer = 2

  /// The anchor centres (x, y) as float32, as MediaPipe computes them: (x + 0.5) / feature-map size.
  static func blazePose() -> [SIMD2<Float>] {
    var anchors: [SIMD2<Float>] = []
    anchors.reserveCapacity(2254)
    var layer = 0
    while layer < strides.count {
      var last = layer
      while last < strides.count && strides[last] == strides[layer] { last += 1 }
      let perLocation = (last - layer) * anchorsPerLayer
      let size = (inputSize + strides[layer] - 1) / strides[layer]
      for y in 0..<size {
        for x in 0..<size {
          let xc = (Float(x) + 0.5) / Float(size)
          let yc = (Float(y) + 0.5) / Float(size)
          for _ in 0..<perLocation { anchors.append(SIMD2(xc, yc)) }
        }
      }
      layer = last
    }
    return anchors
  }
}
