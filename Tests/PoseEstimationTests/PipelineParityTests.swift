// Pipeline parity: PoseScope's whole pipeline (MediaIO + NeuralEngine + PoseEstimation) against
// mediapipe 0.10.14's mp.solutions.pose on the fetched real photos and the Sports2D frame sequence.
import Foundation
import MediaIO
import ModelFiles
import NeuralEngine
import PoseScopeTestSupport
import Testing

@testable import PoseEstimation

/// One frame of tools/fixtures/pipeline_parity.py's output.
struct ParityFrame: Decodable {
  var file: String
  var image_width: Int
  var image_height: Int
  var rgb_sha256: String
  var pose_landmarks: [[Double]]?
  var pose_world_landmarks: [[Double]]?
  var pose_detection: Detection?
  var roi_used_derived: Rect?
  struct Detection: Decodable { var score: [Double] }
  struct Rect: Decodable {
    var x_center, y_center, width, height, rotation: Double
    var normalized: NormalizedRect {
      NormalizedRect(xCenter: x_center, yCenter: y_center, width: width, height: height, rotation: rotation)
    }
  }
}

struct ParityFile: Decodable {
  var kind: String
  var frames: [ParityFrame]
}

enum Samples {
  /// The fetched sample `rel` (e.g. `images/bus.jpg`) as an RGB image.
  static func load(_ rel: String) throws -> Image { try ImageDecoder.load(path: TestAssets.sample(rel)) }
}

/// Loads the real models once per test (each test gets its own interpreters).
func realEstimator(staticMode: Bool, smooth: Bool = true) throws -> BlazePoseEstimator {
  let env = ProcessInfo.processInfo.environment
  if env["POSESCOPE_MODELS"] == nil, !FileManager.default.fileExists(atPath: FetchedAssets.modelsDirectory) {
    Issue.record("models missing in \(FetchedAssets.modelsDirectory): run scripts/fetch-assets.sh models")
  }
  let m = try ModelStore.loadBlazePose(threads: 1)
  var o = BlazePoseEstimator.Options()
  o.staticImageMode = staticMode
  o.smoothLandmarks = smooth
  return try BlazePoseEstimator(detector: m.detector, landmarker: m.landmarker, options: o)
}

func median(_ v: [Double]) -> Double {
  let s = v.sorted()
  return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Pixel errors of the visible landmarks (the wheel's visibility > 0.5) at native resolution, and world errors (m).
func landmarkErrors(_ r: PoseResult, _ f: ParityFrame) throws -> (px: [Double], world: [Double]) {
  let lm = try #require(f.pose_landmarks)
  let wl = try #require(f.pose_world_landmarks)
  let w = Double(f.image_width), h = Double(f.image_height)
  var px: [Double] = [], world: [Double] = []
  for i in 0..<33 where lm[i][3] > 0.5 {
    let dx = (r.landmarks[i].x - lm[i][0]) * w, dy = (r.landmarks[i].y - lm[i][1]) * h
    px.append((dx * dx + dy * dy).squareRoot())
    let d = r.worldLandmarks[i] - SIMD3(wl[i][0], wl[i][1], wl[i][2])
    world.append((d * d).sum().squareRoot())
  }
  return (px, world)
}

struct PipelineParityTests {
  func parity(_ name: String) throws -> ParityFile {
    let data = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("parity/\(name).json")))
    return try JSONDecoder().decode(ParityFile.self, from: data)
  }

  @Test func decodedPixelsAreTheWheelsInput() throws {
    for f in try parity("static_images").frames {
      let img = try Samples.load(f.file)
      #expect(img.width == f.image_width && img.height == f.image_height)
      #expect(
        SHA256.hex(img.pixels) == f.rgb_sha256,
        "\(f.file) decodes to other pixels than PIL gave the wheel (the Sports2D frames are cut by the local ffmpeg: with another ffmpeg, re-run tools/fixtures/pipeline_parity.py)"
      )
    }
  }

  @Test func staticImagesMatchMediaPipe() throws {
    let est = try realEstimator(staticMode: true)
    var checked = 0
    for f in try parity("static_images").frames {
      let img = try Samples.load(f.file)
      let r = try est.process(img)
      #expect(
        (r != nil) == (f.pose_landmarks != nil),
        "\(f.file): person found \(r != nil), wheel \(f.pose_landmarks != nil)")
      guard let r, f.pose_landmarks != nil else { continue }
      let e = try landmarkErrors(r, f)
      #expect(e.px.count >= 5, "\(f.file): too few visible landmarks to compare")
      #expect(median(e.px) <= 2, "\(f.file): median pixel error \(median(e.px))")
      #expect(e.px.max()! <= 5, "\(f.file): max pixel error \(e.px.max()!)")
      #expect(median(e.world) <= 0.01, "\(f.file): median world error \(median(e.world)) m")
      print(
        String(
          format: "parity static %@: median %.3f px, max %.3f px, world median %.2f mm", f.file,
          median(e.px), e.px.max()!, median(e.world) * 1000))
      checked += 1
    }
    #expect(checked >= 4, "only \(checked) photos had a person to compare")
  }

  /// Closed loop: the tracker runs on its own (frames 91–120, tracked throughout in the wheel).
  @Test(arguments: ["video_tracked_smooth", "video_tracked_nosmooth"])
  func trackedSequenceMatchesMediaPipe(_ name: String) throws {
    let file = try parity(name)
    let est = try realEstimator(staticMode: false, smooth: name.hasSuffix("_smooth"))
    var medians: [Double] = []
    var detections = 0
    for f in file.frames {
      let r = try #require(
        try est.process(try Samples.load(f.file)), "\(f.file): the tracker lost the person")
      if r.detection != nil { detections += 1 }
      let e = try landmarkErrors(r, f)
      medians.append(median(e.px))
      #expect(median(e.px) <= 3, "\(f.file): median pixel error \(median(e.px)) in video mode")
    }
    #expect(file.frames.count == 30 && medians.count == 30)
    print(
      String(
        format: "parity %@: per-frame median px mean %.3f, worst %.3f", name, medians.reduce(0, +) / 30,
        medians.max() ?? .nan))
    #expect(detections == 1, "the detector should run on the first frame only, ran \(detections) times")
  }

  /// Open loop on frames 1–30, which hold a gate rejection, a track loss and a re-detection: each frame's
  /// landmark stage gets the ROI the wheel used, so near-threshold presence flags cannot send the two
  /// trackers down different paths.
  @Test func openLoopSequenceMatchesMediaPipe() throws {
    let file = try parity("video_nosmooth")
    let est = try realEstimator(staticMode: false, smooth: false)
    var compared = 0
    for f in file.frames {
      guard let roi = f.roi_used_derived else { continue }
      let r = try est.landmarks(on: try Samples.load(f.file), roi: roi.normalized)
      #expect((r != nil) == (f.pose_landmarks != nil), "\(f.file): presence differs from the wheel")
      guard let r, f.pose_landmarks != nil else { continue }
      let e = try landmarkErrors(r, f)
      #expect(
        median(e.px) <= 2 && e.px.max()! <= 5,
        "\(f.file): pixel errors median \(median(e.px)), max \(e.px.max()!)")
      #expect(median(e.world) <= 0.01, "\(f.file): median world error \(median(e.world)) m")
      compared += 1
    }
    #expect(compared >= 25)
  }
}

/// SHA-256 (FIPS 180-4), for checking decoded pixels against the fixture's hashes.
enum SHA256 {
  static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  static func hex(_ message: [UInt8]) -> String {
    var h: [UInt32] = [
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    var m = message
    let bitLength = UInt64(message.count) * 8
    m.append(0x80)
    while m.count % 64 != 56 { m.append(0) }
    for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
    var w = [UInt32](repeating: 0, count: 64)
    func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    for chunk in stride(from: 0, to: m.count, by: 64) {
      for i in 0..<16 {
        let b = chunk + 4 * i
        w[i] = UInt32(m[b]) << 24 | UInt32(m[b + 1]) << 16 | UInt32(m[b + 2]) << 8 | UInt32(m[b + 3])
      }
      for i in 16..<64 {
        let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
        let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
      }
      var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
      for i in 0..<64 {
        let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
        (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
      }
      for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
    }
    return h.map { String(format: "%08x", $0) }.joined()
  }
}

struct InputConversionTests {
  struct LUT: Decodable {
    var detector_minus1_1: [Float]
    var landmarks_0_1: [Float]
  }

  /// The u8 → float conversion is the wheel's, bit for bit, for both models' ranges.
  @Test func conversionTablesAreTheWheels() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("parity/input_lut.json")))
    let lut = try JSONDecoder().decode(LUT.self, from: data)
    #expect(ImageToTensor.conversionTable(lo: -1, hi: 1) == lut.detector_minus1_1)
    #expect(ImageToTensor.conversionTable(lo: 0, hi: 1) == lut.landmarks_0_1)
  }
}
