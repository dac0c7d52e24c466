// PoseLiftingTests: random lifter files of every normalisation (batch, layer, none) against a plain
// Double-precision forward pass written from the architecture's definition — the folds, the layer norm,
// partial GEMM panels and, for a wide network, output columns split between threads.

import Foundation
import ModelFiles
import PoseCore
import PoseLifting
import PoseScopeTestSupport
import Testing

/// SplitMix64: a small seeded generator for random weights.
private struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A random residual MLP written as a lifter file, and its forward pass in Double.
private struct RandomNetwork {
  let prefix: String
  let config: ResidualMLPConfig
  var tensors: [String: (values: [Float], shape: [Int])] = [:]

  init(prefix: String, config: ResidualMLPConfig, seed: UInt64) {
    self.prefix = prefix
    self.config = config
    var rng = SplitMix64(state: seed)
    func uniform(_ n: Int, _ range: ClosedRange<Float>) -> [Float] {
      (0..<n).map { _ in Float.random(in: range, using: &rng) }
    }
    let w = config.width
    func linear(_ name: String, inputs: Int, outputs: Int) {
      let bound = (3 / Float(inputs)).squareRoot()
      tensors["\(prefix).\(name).weight"] = (uniform(inputs * outputs, -bound...bound), [outputs, inputs])
      tensors["\(prefix).\(name).bias"] = (uniform(outputs, -0.1...0.1), [1, outputs])
    }
    func norm(_ name: String) {
      guard config.normalization != .none else { return }
      tensors["\(prefix).\(name).scale"] = (uniform(w, 0.5...1.5), [1, w])
      tensors["\(prefix).\(name).shift"] = (uniform(w, -0.2...0.2), [1, w])
      guard config.normalization == .batch else { return }
      tensors["\(prefix).\(name).running_mean"] = (uniform(w, -0.5...0.5), [1, w])
      tensors["\(prefix).\(name).running_variance"] = (uniform(w, 0.2...2), [1, w])
    }
    linear("input", inputs: config.inputs, outputs: w)
    norm("input_norm")
    for b in 0..<config.blocks {
      for i in 1...2 {
        linear("block\(b).linear\(i)", inputs: w, outputs: w)
        norm("block\(b).norm\(i)")
      }
    }
    linear("output", inputs: w, outputs: config.outputs)
  }

  /// Writes the network with `metadata` to `path`.
  func write(to path: String, metadata: [String: String]) throws {
    var writer = SafeTensorsWriter(metadata: metadata)
    for (name, t) in tensors { try writer.add(name, floats: t.values, shape: t.shape) }
    try writer.write(to: path)
  }

  private func values(_ name: String) -> [Double] { tensors["\(prefix).\(name)"]!.values.map(Double.init) }

  private func linear(_ x: [Double], _ name: String) -> [Double] {
    let (w, b) = (values("\(name).weight"), values("\(name).bias"))
    return b.indices.map { j in b[j] + x.indices.reduce(0) { $0 + w[j * x.count + $1] * x[$1] } }
  }

  /// Norm (evaluation mode), then ReLU.
  private func normRelu(_ z: [Double], _ name: String) -> [Double] {
    let eps = Normalization.epsilon
    var y = z
    switch config.normalization {
    case .none: break
    case .batch:
      let (g, b) = (values("\(name).scale"), values("\(name).shift"))
      let (m, v) = (values("\(name).running_mean"), values("\(name).running_variance"))
      y = z.indices.map { g[$0] * (z[$0] - m[$0]) / (v[$0] + eps).squareRoot() + b[$0] }
    case .layer:
      let (g, b) = (values("\(name).scale"), values("\(name).shift"))
      let mean = z.reduce(0, +) / Double(z.count)
      let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(z.count)
      y = z.indices.map { g[$0] * (z[$0] - mean) / (variance + eps).squareRoot() + b[$0] }
    }
    return y.map { max(0, $0) }
  }

  /// The network's output for input `x` (dropout is the identity in evaluation).
  func forward(_ x: [Double]) -> [Double] {
    var h = normRelu(linear(x, "input"), "input_norm")
    for b in 0..<config.blocks {
      let t = normRelu(linear(h, "block\(b).linear1"), "block\(b).norm1")
      let u = normRelu(linear(t, "block\(b).linear2"), "block\(b).norm2")
      h = zip(h, u).map { $0 + $1 }
    }
    return linear(h, "output")
  }
}

@Suite struct ReferenceForwardTests {
  /// 17 image points of a standing person with some variation per `seed`.
  private func points(_ seed: UInt64) -> [Vec2] {
    var rng = SplitMix64(state: seed)
    return (0..<17).map { j in
      Vec2(
        600 + 40 * Double(j % 5) + .random(in: -20...20, using: &rng),
        200 + 25 * Double(j) + .random(in: -20...20, using: &rng))
    }
  }

  @Test(arguments: [(Normalization.batch, 1040), (.none, 72), (.layer, 88)])
  func supervisedFileMatchesThePlainForwardPass(normalization: Normalization, width: Int) throws {
    let config = ResidualMLPConfig(
      inputs: 34, outputs: 51, width: width, blocks: width > 1000 ? 1 : 2, normalization: normalization)
    let network = RandomNetwork(prefix: "lifter", config: config, seed: UInt64(width))
    let path = (try TestFiles.makeTemporaryFolder("poselifting") as NSString).appendingPathComponent(
      "random.safetensors")
    let architecture = SupervisedLifterArchitecture(
      network: config, adjustment: AdjustmentConfig(stages: 0), outputScale: 250)
    let json = String(decoding: try JSONEncoder().encode(architecture), as: UTF8.self)
    try network.write(to: path, metadata: ["format": LifterKind.supervisedFormat, "config": json])
    let one = try Lifter.load(path: path)
    let two = try Lifter.load(path: path, threads: 2)
    #expect(!one.hasAdjustment)
    for seed in UInt64(1)...4 {
      let p = points(seed)
      let out = network.forward(KeypointNormalization.normalize(p)).map { 250 * $0 / 1000 }
      let expected = (0..<17).map { Vec3(out[3 * $0], out[3 * $0 + 1], out[3 * $0 + 2]) }
      let lifted = try one.lift(p)
      let scale = expected.reduce(0) { max($0, abs($1.x), abs($1.y), abs($1.z)) }
      #expect(maxDifference(lifted, expected) < 1e-5 * max(scale, 1), "\(normalization) \(width)")
      // A single pose of a wide network splits its products' columns between two threads: same numbers.
      #expect(try two.lift(p) == lifted)
    }
  }

  @Test func unsupervisedFileMatchesThePlainForwardPass() throws {
    let config = ResidualMLPConfig(
      inputs: 34, outputs: 16, width: 40, blocks: 2, dropout: 0, normalization: .layer)
    let network = RandomNetwork(prefix: "teacher", config: config, seed: 7)
    let path = (try TestFiles.makeTemporaryFolder("poselifting") as NSString).appendingPathComponent(
      "random.safetensors")
    let json = String(
      decoding: try JSONEncoder().encode(UnsupervisedLifterArchitecture(network: config)), as: UTF8.self)
    try network.write(to: path, metadata: ["format": LifterKind.unsupervisedFormat, "config": json])
    let lifter = try Lifter.load(path: path, height: 1.8)
    #expect(
      lifter.shortName == "unsupervised lifter"
        && lifter.summary == "unsupervised lifter, scaled to a 1.8 m body")
    for seed in UInt64(1)...4 {
      let p = points(seed)
      let x = KeypointNormalization.normalize(p)
      let depths = network.forward(x)
      let pose = (0..<17).map { Vec3(x[2 * $0], x[2 * $0 + 1], $0 == 0 ? 0 : depths[$0 - 1]) }
      let total = H36M17.bones.reduce(0) { $0 + pose[$1.child].distance(to: pose[$1.parent]) }
      let k = 1.8 * Anthropometry.h36mBoneFractions.reduce(0, +) / total
      #expect(maxDifference(try lifter.lift(p), pose.map { k * $0 }) < 1e-5)
    }
  }
}
