// PoseEstimationTests: this target's helpers — its fixtures, the replay models, the wheel's expected JSON and the
// comparisons with it.
import Foundation
import MediaIO
import ModelFiles
import PoseScopeTestSupport
import Testing

@testable import PoseEstimation

enum Fixtures {
  /// The copied Fixtures folder of this test target.
  static let folder = FixtureFolder(.module)

  /// The path of fixture `name` (checked to exist).
  static func path(_ name: String) throws -> String { try folder.path(name) }

  static func tensors(_ name: String) throws -> SafeTensors { try SafeTensors.read(path: path(name)) }

  /// A fixture PNG as an RGB image.
  static func image(_ name: String) throws -> Image { try ImageDecoder.load(path: path(name + ".png")) }

  /// The 4 static test images: the portrait and the three derived from it exactly as the reference fixtures
  /// were made (np.rot90, a 180° turn, 200 px of grey 30 left and right).
  static func staticImage(_ name: String) throws -> Image {
    let p = try image("portrait_512x600")
    switch name {
    case "portrait_512x600": return p
    case "rot90": return try rotated90CounterClockwise(p)
    case "rot180": return try rotated180(p)
    case "padded_912x600": return try padded(p, left: 200, right: 200, grey: 30)
    default: throw TestFailure("no static image \(name)")
    }
  }

  static let staticNames = ["portrait_512x600", "rot90", "rot180", "padded_912x600"]

  static func rotated90CounterClockwise(_ im: Image) throws -> Image {
    let (w, h) = (im.width, im.height)
    var out = [UInt8](repeating: 0, count: w * h * 3)
    for i in 0..<w {
      for j in 0..<h {
        let s = (j * w + (w - 1 - i)) * 3
        let d = (i * h + j) * 3
        for c in 0..<3 { out[d + c] = im.pixels[s + c] }
      }
    }
    return try #require(Image(width: h, height: w, pixels: out))
  }

  static func rotated180(_ im: Image) throws -> Image {
    var out = [UInt8](repeating: 0, count: im.pixels.count)
    let n = im.width * im.height
    for p in 0..<n {
      for c in 0..<3 { out[(n - 1 - p) * 3 + c] = im.pixels[p * 3 + c] }
    }
    return try #require(Image(width: im.width, height: im.height, pixels: out))
  }

  static func padded(_ im: Image, left: Int, right: Int, grey: UInt8) throws -> Image {
    let w = im.width + left + right
    var out = [UInt8](repeating: grey, count: w * im.height * 3)
    for y in 0..<im.height {
      for x in 0..<im.width {
        for c in 0..<3 { out[(y * w + x + left) * 3 + c] = im.pixels[(y * im.width + x) * 3 + c] }
      }
    }
    return try #require(Image(width: w, height: im.height, pixels: out))
  }
}

struct TestFailure: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

extension SafeTensors {
  /// An F64 tensor at full precision.
  func doubles(_ name: String) throws -> [Double] {
    let b = try bytes(name)
    guard try dtype(name) == .f64, b.count % 8 == 0 else { throw TestFailure("\(name) is not F64") }
    return stride(from: 0, to: b.count, by: 8).map { o in
      var bits: UInt64 = 0
      for k in 0..<8 { bits |= UInt64(b[o + k]) << (8 * UInt64(k)) }
      return Double(bitPattern: bits)
    }
  }
}

/// FNV-1a 64 of a byte range.
func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
  return h
}

/// A `TensorModel` that replays recorded LiteRT outputs after checking that its input is, bit for bit, the
/// recorded one (the warped u8 image by per-row FNV-1a hashes, and its u8 → float32 conversion by numpy's
/// table). Runs are consumed in order; a missing or mismatching run throws.
final class ReplayModel: TensorModel {
  struct Run {
    var name: String
    var rowHashes: [UInt64]
    var outputs: [String: [Float]]
  }

  let inputShape: [Int]
  private let table: [Float]
  private var runs: [Run]
  private(set) var consumed = 0
  var remaining: [String] { runs[consumed...].map(\.name) }

  init(inputShape: [Int], table: [Float], runs: [Run]) {
    self.inputShape = inputShape
    self.table = table
    self.runs = runs
  }

  /// Detector runs `names` of `file`.
  static func detector(_ file: SafeTensors, _ names: [String]) throws -> ReplayModel {
    let runs = try names.map { n in
      Run(
        name: n, rowHashes: try hashes(file, n),
        outputs: [
          "Identity": try file.floats(n + ".Identity"), "Identity_1": try file.floats(n + ".Identity_1"),
        ])
    }
    return ReplayModel(inputShape: [1, 224, 224, 3], table: try file.floats("tables.f32_m1_1"), runs: runs)
  }

  /// Landmark-model runs `names` of `file`; the heatmap is rebuilt from the stored 9×9 windows, every other
  /// cell -1e4 (sigmoid 0).
  static func landmarker(_ file: SafeTensors, _ names: [String]) throws -> ReplayModel {
    let runs = try names.map { n in
      var heat = [Float](repeating: -1e4, count: 64 * 64 * 39)
      let win = try file.floats(n + ".heat_win")
      let org = try file.ints(n + ".heat_org")
      guard win.count == 39 * 81, org.count == 78 else { throw TestFailure("bad heatmap windows in \(n)") }
      for i in 0..<39 {
        for a in 0..<9 {
          for b in 0..<9 {
            let r = org[i * 2] + a
            let c = org[i * 2 + 1] + b
            if r >= 0 && r < 64 && c >= 0 && c < 64 { heat[(r * 64 + c) * 39 + i] = win[(i * 9 + a) * 9 + b] }
          }
        }
      }
      return Run(
        name: n, rowHashes: try hashes(file, n),
        outputs: [
          "Identity": try file.floats(n + ".Identity"), "Identity_1": try file.floats(n + ".Identity_1"),
          "Identity_3": heat, "Identity_4": try file.floats(n + ".Identity_4"),
        ])
    }
    return ReplayModel(inputShape: [1, 256, 256, 3], table: try file.floats("tables.f32_0_1"), runs: runs)
  }

  private static func hashes(_ file: SafeTensors, _ name: String) throws -> [UInt64] {
    try file.ints(name + ".in_rows").map { UInt64(bitPattern: Int64($0)) }
  }

  func run(_ input: UnsafeBufferPointer<Float>) throws -> [String: [Float]] {
    guard consumed < runs.count else {
      throw TestFailure("replay model \(inputShape) called once more than recorded (\(runs.count) runs)")
    }
    let r = runs[consumed]
    consumed += 1
    let side = inputShape[1]
    guard input.count == side * side * 3 else {
      throw TestFailure("\(r.name): input has \(input.count) values")
    }
    // float32 → u8 through the recorded numpy table; any value not in it is a conversion error
    let scale = table[255] - table[0]
    var u8 = [UInt8](repeating: 0, count: input.count)
    for i in 0..<input.count {
      let v = input[i]
      let guess = Int(((v - table[0]) / scale * 255).rounded())
      guard guess >= 0, guess < 256, table[guess].bitPattern == v.bitPattern else {
        throw TestFailure("\(r.name): input value \(v) at \(i) is not the wheel's float32 of any u8")
      }
      u8[i] = UInt8(guess)
    }
    var badRows: [Int] = []
    u8.withUnsafeBufferPointer { buf in
      for row in 0..<side where row < r.rowHashes.count {
        let rowBytes = UnsafeBufferPointer(rebasing: buf[(row * side * 3)..<((row + 1) * side * 3)])
        if fnv1a(rowBytes) != r.rowHashes[row] { badRows.append(row) }
      }
    }
    guard badRows.isEmpty, r.rowHashes.count == side else {
      throw TestFailure(
        "\(r.name): the warped input differs from the recorded one in \(badRows.count) rows, e.g. \(badRows.prefix(8))"
      )
    }
    return r.outputs
  }
}

/// The real mediapipe wheel's results (expected_static.json / expected_video.json).
struct WheelFrame: Decodable {
  struct Rect: Decodable {
    var x_center: Double
    var y_center: Double
    var width: Double
    var height: Double
    var rotation: Double
    var normalized: NormalizedRect {
      NormalizedRect(xCenter: x_center, yCenter: y_center, width: width, height: height, rotation: rotation)
    }
  }
  struct Box: Decodable {
    var xmin: Double
    var ymin: Double
    var width: Double
    var height: Double
  }
  struct Detection: Decodable {
    var score: [Double]
    var relative_bounding_box: Box
    var relative_keypoints: [[Double]]
  }
  var pose_landmarks: [[Double]]?
  var pose_world_landmarks: [[Double]]?
  var pose_detection: Detection?
  var roi_from_detection: Rect?
  var roi_from_landmarks: Rect?
}

enum Wheel {
  private struct StaticFile: Decodable { var results: [String: WheelFrame] }
  private struct VideoFile: Decodable { var results: [String: [WheelFrame]] }

  static func staticResults() throws -> [String: WheelFrame] {
    let data = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("expected_static.json")))
    return try JSONDecoder().decode(StaticFile.self, from: data).results
  }

  /// "nosmooth" and "smooth", 8 frames each.
  static func videoResults() throws -> [String: [WheelFrame]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("expected_video.json")))
    return try JSONDecoder().decode(VideoFile.self, from: data).results
  }
}

func rectValues(_ r: NormalizedRect) -> [Double] { [r.xCenter, r.yCenter, r.width, r.height, r.rotation] }

/// Compares `got` with the wheel's frame: landmarks x, y, z, visibility, presence; world; next ROI (unless
/// `roi` is nil).
func expectMatchesWheel(
  _ got: PoseResult?, _ wheel: WheelFrame, _ label: String, xy: Double = 1e-4, z: Double = 1e-4,
  visibility: Double = 1e-4, world: Double = 1e-5, roi: Double? = 1e-5,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let r = try #require(got, "\(label): no pose, the wheel found one", sourceLocation: sourceLocation)
  let lm = try #require(wheel.pose_landmarks, sourceLocation: sourceLocation)
  let wl = try #require(wheel.pose_world_landmarks, sourceLocation: sourceLocation)
  #expect(r.landmarks.count == 33 && lm.count == 33, sourceLocation: sourceLocation)
  #expect(r.worldLandmarks.count == 33 && wl.count == 33, sourceLocation: sourceLocation)
  let dxy = largestDifference(r.landmarks.flatMap { [$0.x, $0.y] }, lm.flatMap { [$0[0], $0[1]] })
  let dz = largestDifference(r.landmarks.map(\.z), lm.map { $0[2] })
  let dvis = largestDifference(r.landmarks.map(\.visibility), lm.map { $0[3] })
  let dpres = largestDifference(r.landmarks.map(\.presence), lm.map { $0[4] })
  let dworld = largestDifference(
    r.worldLandmarks.flatMap { [$0.x, $0.y, $0.z] }, wl.flatMap { Array($0[0..<3]) })
  #expect(dxy <= xy, "\(label): landmarks x, y differ by \(dxy)", sourceLocation: sourceLocation)
  #expect(dz <= z, "\(label): landmarks z differ by \(dz)", sourceLocation: sourceLocation)
  #expect(dvis <= visibility, "\(label): visibility differs by \(dvis)", sourceLocation: sourceLocation)
  #expect(dpres <= visibility, "\(label): presence differs by \(dpres)", sourceLocation: sourceLocation)
  #expect(dworld <= world, "\(label): world landmarks differ by \(dworld) m", sourceLocation: sourceLocation)
  if let roi, let expectedNext = wheel.roi_from_landmarks {
    let next = try #require(r.nextROI, sourceLocation: sourceLocation)
    let d = largestDifference(rectValues(next), rectValues(expectedNext.normalized))
    #expect(d <= roi, "\(label): next ROI differs by \(d)", sourceLocation: sourceLocation)
  }
}

/// Compares `got` with this project's Python replay of the same model outputs (golden `expect.<prefix>.*`).
func expectMatchesReplay(
  _ got: PoseResult?, _ file: SafeTensors, _ prefix: String, tolerance: Double = 1e-9,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let r = try #require(got, "\(prefix): no pose, the replay found one", sourceLocation: sourceLocation)
  let lm = try file.doubles(prefix + ".landmarks")
  let d = largestDifference(r.landmarks.flatMap { [$0.x, $0.y, $0.z, $0.visibility, $0.presence] }, lm)
  #expect(d <= tolerance, "\(prefix): landmarks differ by \(d)", sourceLocation: sourceLocation)
  let dw = largestDifference(
    r.worldLandmarks.flatMap { [$0.x, $0.y, $0.z] }, try file.doubles(prefix + ".world"))
  #expect(dw <= tolerance, "\(prefix): world landmarks differ by \(dw)", sourceLocation: sourceLocation)
  let droi = largestDifference(rectValues(r.roi), try file.doubles(prefix + ".roi"))
  #expect(droi <= tolerance, "\(prefix): ROI differs by \(droi)", sourceLocation: sourceLocation)
  let next = try #require(r.nextROI, sourceLocation: sourceLocation)
  let dnext = largestDifference(rectValues(next), try file.doubles(prefix + ".next_roi"))
  #expect(dnext <= tolerance, "\(prefix): next ROI differs by \(dnext)", sourceLocation: sourceLocation)
  #expect(
    largestDifference([r.poseScore], try file.doubles(prefix + ".flag")) <= tolerance,
    sourceLocation: sourceLocation)
  if file.tensors[prefix + ".detection"] != nil {
    let det = try #require(r.detection, "\(prefix): no detection", sourceLocation: sourceLocation)
    let values =
      [det.score, det.box.xmin, det.box.ymin, det.box.width, det.box.height]
      + det.keypoints.flatMap { [$0.x, $0.y] }
    let dd = largestDifference(values, try file.doubles(prefix + ".detection"))
    #expect(dd <= tolerance, "\(prefix): detection differs by \(dd)", sourceLocation: sourceLocation)
  } else {
    #expect(r.detection == nil, "\(prefix): unexpected detection", sourceLocation: sourceLocation)
  }
}

/// Compares a detection with the wheel's (score, box, keypoints).
func expectDetectionMatchesWheel(
  _ det: PoseDetection?, _ wheel: WheelFrame, _ label: String, tolerance: Double = 1e-5,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let d = try #require(det, "\(label): no detection", sourceLocation: sourceLocation)
  let w = try #require(wheel.pose_detection, sourceLocation: sourceLocation)
  #expect(abs(d.score - w.score[0]) <= tolerance, "\(label): score \(d.score) vs \(w.score[0])")
  let b = w.relative_bounding_box
  let db = largestDifference(
    [d.box.xmin, d.box.ymin, d.box.width, d.box.height], [b.xmin, b.ymin, b.width, b.height])
  #expect(db <= tolerance, "\(label): box differs by \(db)", sourceLocation: sourceLocation)
  let dk = largestDifference(d.keypoints.flatMap { [$0.x, $0.y] }, w.relative_keypoints.flatMap { $0 })
  #expect(dk <= tolerance, "\(label): keypoints differ by \(dk)", sourceLocation: sourceLocation)
}
