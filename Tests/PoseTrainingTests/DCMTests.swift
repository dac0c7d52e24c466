// PoseTrainingTests: the Disturbance-Correction Module and the adjustment cascade (gradients and behaviour).

import Foundation
import PoseCore
import PoseLifting
import Testing

@testable import PoseTraining

/// A random H36M-17 pose in mm around a rough standing skeleton, so no bone is near zero length.
func randomPoses(_ batch: Int, _ rng: inout Xoshiro256) -> Matrix<Double> {
  let rest: [Vec3] = [
    [0, 0, 0], [-120, 0, 0], [-120, -440, 0], [-120, -880, 0], [120, 0, 0], [120, -440, 0], [120, -880, 0],
    [0, 230, 0], [0, 480, 0], [0, 580, 50], [0, 700, 0], [170, 470, 0], [170, 180, 0], [170, -80, 0],
    [-170, 470, 0], [-170, 180, 0], [-170, -80, 0],
  ]
  var m = Matrix<Double>(rows: batch, columns: 51)
  for r in 0..<batch {
    for j in 1..<17 {
      for a in 0..<3 { m[r, 3 * j + a] = rest[j][a] + 40 * rng.normal() }
    }
  }
  return m
}

/// Bone lengths of `poses` times random factors in [0.85, 1.15].
func randomLengths(_ poses: Matrix<Double>, _ rng: inout Xoshiro256) -> Matrix<Double> {
  var m = Matrix<Double>(rows: poses.rows, columns: 16)
  for r in 0..<poses.rows {
    for k in 0..<16 {
      let c = k + 1
      let p = H36M17.parents[c] ?? 0
      var s = 0.0
      for a in 0..<3 {
        let d = poses[r, 3 * c + a] - poses[r, 3 * p + a]
        s += d * d
      }
      m[r, k] = s.squareRoot() * rng.uniform(0.85, 1.15)
    }
  }
  return m
}

/// Gradient check of an adjustment network's pose, length and parameter gradients.
func checkAdjustment(_ network: AdjustmentNetwork<Double>, training: Bool, seed: UInt64) {
  var rng = Xoshiro256(seed: seed)
  let pose = Box(randomPoses(3, &rng))
  let lengths = Box(randomLengths(pose.value, &rng))
  let probe = randomMatrix(3, 51, &rng)
  let contextSeed = rng.next()
  func run() -> Matrix<Double> {
    var context = ForwardContext(training: training, rng: Xoshiro256(seed: contextSeed))
    return network.forward(pose.value, lengths: lengths.value, context: &context)
  }
  for p in network.parameters { p.zeroGradient() }
  _ = run()
  let (dPose, dLengths) = network.backward(probe)
  var tensors = [
    CheckedTensor(name: "pose", get: { pose.value }, set: { pose.value = $0 }, analytic: dPose, step: 1e-2),
    CheckedTensor(
      name: "lengths", get: { lengths.value }, set: { lengths.value = $0 }, analytic: dLengths, step: 1e-2),
  ]
  for p in network.parameters {
    tensors.append(CheckedTensor(name: p.name, get: { p.value }, set: { p.value = $0 }, analytic: p.gradient))
  }
  // Poses and lengths are O(100) mm: step 1e-2 mm for them (relative 1e-4), 1e-5 for the O(1) weights.
  // Outputs of O(300) mm round at ~3e-14 each; over 51·3 probe terms and divided by 2h = 2e-5 that is a
  // floor of ~2e-8 on the numeric gradient, hence the absolute tolerance 1e-7 (relative stays 1e-6).
  let baseline = run()
  let result = finiteDifferenceCheck(tensors, absoluteTolerance: 1e-7) {
    probeLoss(run(), probe, baseline: baseline)
  }
  #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
  #expect(dPose.squaredSum > 0 && dLengths.squaredSum > 0)
}

@Suite struct DCMGradientTests {
  /// Head outputs at full He scale so confidences and gates vary across joints and samples.
  func config(_ disturbance: DCMDisturbance = .none, pinRoot: Bool = true) -> DCMConfig {
    DCMConfig(hiddenWidth: 8, disturbance: disturbance, headOutputScale: 1, pinRoot: pinRoot)
  }

  @Test(arguments: [true, false])
  func singleModuleWithoutDisturbance(pinRoot: Bool) throws {
    var rng = Xoshiro256(seed: 31)
    let a = try AdjustmentNetwork<Double>(
      name: "a", config: AdjustmentConfig(stages: 1, module: config(pinRoot: pinRoot)), rng: &rng)
    checkAdjustment(a, training: true, seed: 1)
  }

  @Test func twoStageCascade() throws {
    var rng = Xoshiro256(seed: 32)
    let a = try AdjustmentNetwork<Double>(
      name: "a", config: AdjustmentConfig(stages: 2, module: config()), rng: &rng)
    checkAdjustment(a, training: true, seed: 2)
  }

  @Test func boneScalingDisturbanceWithAFixedDraw() throws {
    // The disturbance is a linear rebuild of the pose for fixed factors; the same random stream each pass
    // fixes them, so its backward (the transposed rebuild) is checked too.
    var rng = Xoshiro256(seed: 33)
    let a = try AdjustmentNetwork<Double>(
      name: "a", config: AdjustmentConfig(stages: 1, module: config(.boneScaling(standardDeviation: 0.1))),
      rng: &rng)
    checkAdjustment(a, training: true, seed: 3)
  }

  @Test func evaluationModeIgnoresTheDisturbance() throws {
    var rng = Xoshiro256(seed: 34)
    let a = try AdjustmentNetwork<Double>(
      name: "a", config: AdjustmentConfig(stages: 2, module: config(.jointNoise(standardDeviation: 50))),
      rng: &rng)
    checkAdjustment(a, training: false, seed: 4)
  }
}

@Suite struct DCMBehaviourTests {
  /// A two-joint skeleton (root and one child) with a head whose output weights are zero, so the
  /// confidences and gate are the output biases.
  func twoJoint(gateLogit: Double, pinRoot: Bool, lengthGradient: DCMLengthGradient = .full) throws
    -> DisturbanceCorrectionModule<Double>
  {
    var rng = Xoshiro256(seed: 1)
    let config = DCMConfig(
      hiddenWidth: 4, disturbance: .none, initialGateLogit: gateLogit, headOutputScale: 0,
      lengthGradient: lengthGradient, pinRoot: pinRoot)
    return try DisturbanceCorrectionModule(name: "d", config: config, parents: [nil, 0], rng: &rng)
  }

  func outputBias(_ m: DisturbanceCorrectionModule<Double>) throws -> Parameter<Double> {
    try #require(m.head.layers.last as? Linear<Double>).bias
  }

  @Test func fullGateRestoresTheTargetLength() throws {
    let m = try twoJoint(gateLogit: 40, pinRoot: true)
    var context = ForwardContext(training: true)
    let y = m.forward(
      Matrix(rows: 1, columns: 6, values: [0, 0, 0, 30, 40, 0]),
      lengths: Matrix(rows: 1, columns: 1, values: [100]),
      context: &context)
    #expect(y.values[0...2] == [0, 0, 0], "pinned root")
    // Tolerance 1e-6 mm: lengths are √(‖d‖² + ε²) with ε = 1e-3 mm, which shifts them by ε²/2l ≈ 1e-8 mm.
    #expect(abs(y[0, 3] - 60) < 1e-6 && abs(y[0, 4] - 80) < 1e-6, "child moved along the bone to length 100")
  }

  @Test func theLessConfidentJointMovesMore() throws {
    let m = try twoJoint(gateLogit: 40, pinRoot: false)
    let bias = try outputBias(m)
    bias.value[0] = 2  // root: confident
    bias.value[1] = -2  // child: not confident
    var context = ForwardContext(training: false)
    let y = m.forward(
      Matrix(rows: 1, columns: 6, values: [0, 0, 0, 0, 50, 0]),
      lengths: Matrix(rows: 1, columns: 1, values: [150]),
      context: &context)
    let share = 1 / (1 + exp(-4.0))  // σ(a_root − a_child)
    #expect(abs(y[0, 4] - (50 + 100 * share)) < 1e-6)
    #expect(abs(y[0, 1] - (-100 * (1 - share))) < 1e-6)
    #expect(abs((y[0, 4] - y[0, 1]) - 150) < 1e-6, "total length reaches the target")
  }

  @Test func gateScalesTheCorrection() throws {
    let m = try twoJoint(gateLogit: 0, pinRoot: true)  // gate 0.5
    var context = ForwardContext(training: false)
    let y = m.forward(
      Matrix(rows: 1, columns: 6, values: [0, 0, 0, 0, 0, 200]),
      lengths: Matrix(rows: 1, columns: 1, values: [100]),
      context: &context)
    #expect(abs(y[0, 5] - 150) < 1e-6)
  }

  @Test func directionsOnlyCutsTheGradientThroughTheCurrentLength() throws {
    // Pinned root, child at d: y = d + g·(b − l)·u. Along u, ∂(u·y)/∂l = 1 − g with the full gradient and
    // 1 when l is treated as a constant.
    let pose = Matrix<Double>(rows: 1, columns: 6, values: [0, 0, 0, 30, 40, 0])
    let lengths = Matrix<Double>(rows: 1, columns: 1, values: [80])
    let probe = Matrix<Double>(rows: 1, columns: 6, values: [0, 0, 0, 0.6, 0.8, 0])  // u
    for (mode, expected) in [(DCMLengthGradient.full, 0.5), (.directionsOnly, 1.0)] {
      let m = try twoJoint(gateLogit: 0, pinRoot: true, lengthGradient: mode)
      var context = ForwardContext(training: true)
      _ = m.forward(pose, lengths: lengths, context: &context)
      let (dx, dl) = m.backward(probe)
      let alongBone = 0.6 * dx[0, 3] + 0.8 * dx[0, 4]
      #expect(abs(alongBone - expected) < 1e-9, "\(mode)")
      #expect(abs(dl[0, 0] - 0.5) < 1e-9, "∂(u·y)/∂b = g in both modes")
    }
  }

  @Test func jointNoiseDisturbsOnlyInTrainingAndNeverTheRoot() throws {
    var rng = Xoshiro256(seed: 5)
    let config = DCMConfig(
      hiddenWidth: 4, disturbance: .jointNoise(standardDeviation: 10), initialGateLogit: -40,
      headOutputScale: 0)
    let m = try DisturbanceCorrectionModule<Double>(name: "d", config: config, rng: &rng)
    let pose = randomPoses(2, &rng)
    let lengths = randomLengths(pose, &rng)
    var eval = ForwardContext(training: false)
    let y0 = m.forward(pose, lengths: lengths, context: &eval)
    for i in 0..<pose.count { #expect(abs(y0[i] - pose[i]) < 1e-9, "gate ≈ 0 and no disturbance") }
    var train = ForwardContext(training: true, rng: Xoshiro256(seed: 6))
    let y1 = m.forward(pose, lengths: lengths, context: &train)
    let noise = (0..<pose.count).map { y1[$0] - pose[$0] }
    #expect(noise[0] == 0 && noise[1] == 0 && noise[2] == 0 && noise[51] == 0)
    let rms = (noise.reduce(0) { $0 + $1 * $1 } / Double(2 * 48)).squareRoot()
    #expect(rms > 7 && rms < 13, "σ = 10 over 96 coordinates (rms \(rms))")
  }

  @Test func zeroStagesIsTheIdentity() throws {
    var rng = Xoshiro256(seed: 7)
    let a = try AdjustmentNetwork<Double>(name: "a", config: AdjustmentConfig(stages: 0), rng: &rng)
    let pose = randomPoses(2, &rng)
    var context = ForwardContext(training: true)
    #expect(a.forward(pose, lengths: randomLengths(pose, &rng), context: &context) == pose)
    let (dx, dl) = a.backward(pose)
    #expect(dx == pose && dl.shape == [2, 16] && a.parameters.isEmpty)
  }

  @Test func invalidConfigurationsAreRejected() {
    var rng = Xoshiro256(seed: 8)
    #expect(throws: TrainingError.self) {
      try AdjustmentNetwork<Float>(name: "a", config: AdjustmentConfig(stages: -1), rng: &rng)
    }
    #expect(throws: TrainingError.self) {
      try DisturbanceCorrectionModule<Float>(name: "d", config: DCMConfig(hiddenWidth: 0), rng: &rng)
    }
    #expect(throws: TrainingError.self) {
      try DisturbanceCorrectionModule<Float>(name: "d", config: DCMConfig(), parents: [nil, 2, 0], rng: &rng)
    }
  }
}
