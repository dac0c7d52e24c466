// PoseTrainingTests: random generator golden values, Adam/AdamW updates and learning-rate schedules.

import Foundation
import Testing

@testable import PoseTraining

@Suite struct RandomTests {
  @Test func splitMixMatchesTheReferenceSequence() {
    // First outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
    var g = SplitMix64(seed: 0)
    #expect(g.next() == 0xE220_A839_7B1D_CDAF)
    #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(g.next() == 0x06C4_5D18_8009_454F)
  }

  @Test func xoshiroMatchesAnIndependentImplementation() {
    // From a Python transcription of xoshiro256starstar.c, state expanded from SplitMix64(42).
    var g = Xoshiro256(seed: 42)
    #expect(g.next() == 0x1578_0B2E_0C2E_C716)
    #expect(g.next() == 0x6104_D986_6D11_3A7E)
    #expect(g.next() == 0xAE17_5332_39E4_99A1)
    #expect(g.next() == 0xECB8_AD47_03B3_60A1)
  }

  @Test func stateRoundTripsAndSplitStreamsDiffer() throws {
    var g = Xoshiro256(seed: 9)
    _ = g.next()
    var restored = try Xoshiro256(state: g.state)
    #expect(restored.next() == g.next())
    var a = g.split()
    var b = g.split()
    #expect(a.next() != b.next())
    #expect(throws: TrainingError.self) { try Xoshiro256(state: [0, 0, 0, 0]) }
    #expect(throws: TrainingError.self) { try Xoshiro256(state: [1, 2]) }
  }

  @Test func normalSamplesHaveUnitVarianceAndPermutationsArePermutations() {
    var g = Xoshiro256(seed: 3)
    let n = 20_000
    let xs = (0..<n).map { _ in g.normal() }
    let mean = xs.reduce(0, +) / Double(n)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    #expect(abs(mean) < 0.03)  // standard error 0.007
    #expect(abs(variance - 1) < 0.05)  // standard error 0.01
    let p = g.permutation(100)
    #expect(p.sorted() == Array(0..<100))
    #expect(p != Array(0..<100))
  }
}

@Suite struct OptimizerTests {
  /// Three Adam steps on θ = (0.5, −1.5) with gradients (0.2, −0.1), (−0.3, 0.4), (0.05, 0), lr 0.01;
  /// expected values from a separate Python transcription of PyTorch's Adam/AdamW update rules.
  func run(_ settings: AdamSettings, decays: Bool = true) throws -> [Double] {
    let p = Parameter<Double>(
      name: "w", value: Matrix(rows: 1, columns: 2, values: [0.5, -1.5]), decays: decays)
    let adam = try Adam<Double>(settings: settings)
    for g in [[0.2, -0.1], [-0.3, 0.4], [0.05, 0.0]] {
      p.gradient = Matrix(rows: 1, columns: 2, values: g)
      adam.update([p], learningRate: 0.01)
    }
    #expect(adam.step == 3)
    return p.value.values
  }

  @Test func adamWithL2DecayMatchesReference() throws {
    let v = try run(AdamSettings(variant: .adam, weightDecay: 0.1))
    #expect(abs(v[0] - 0.4892315282803216) < 1e-12)
    #expect(abs(v[1] - -1.4884564398756002) < 1e-12)
  }

  @Test func adamWMatchesReference() throws {
    let v = try run(AdamSettings(variant: .adamW, weightDecay: 0.1))
    #expect(abs(v[0] - 0.49201455888453227) < 1e-12)
    #expect(abs(v[1] - -1.4954389072551428) < 1e-12)
  }

  @Test func weightDecaySkipsParametersThatDoNotDecay() throws {
    let plain = try run(AdamSettings(variant: .adam, weightDecay: 0))
    #expect(abs(plain[0] - 0.493495546403596) < 1e-12)
    #expect(try run(AdamSettings(variant: .adamW, weightDecay: 0.1), decays: false) == plain)
  }

  @Test func invalidSettingsAreRejected() {
    #expect(throws: TrainingError.self) { try Adam<Float>(settings: AdamSettings(beta1: 1)) }
    #expect(throws: TrainingError.self) { try Adam<Float>(settings: AdamSettings(epsilon: 0)) }
  }

  @Test func gradientClippingScalesToTheMaximumNorm() throws {
    final class Holder: ParameterContainer {
      let p = Parameter<Double>(name: "p", value: Matrix(rows: 1, columns: 2), decays: true)
      var parameters: [Parameter<Double>] { [p] }
    }
    let h = Holder()
    h.p.gradient = Matrix(rows: 1, columns: 2, values: [3, 4])
    let set = try ParameterSet<Double>([h])
    #expect(set.clipGradientNorm(1) == 5)
    #expect(abs(set.gradientNorm - 1) < 1e-12)
    #expect(throws: TrainingError.self) { try ParameterSet<Double>([h, h]) }
  }
}

@Suite struct ScheduleTests {
  @Test func warmupThenExponentialDecay() {
    let s = LearningRateSchedule(base: 1e-3, warmupSteps: 4, decay: .exponential(factor: 0.5, every: 10))
    #expect(s.rate(at: 0) == 0.25e-3)
    #expect(s.rate(at: 3) == 1e-3)
    #expect(abs(s.rate(at: 14) - 0.5e-3) < 1e-15)
    #expect(abs(s.rate(at: 24) - 0.25e-3) < 1e-15)
  }

  @Test func cosineReachesTheFloorAndStays() {
    let s = LearningRateSchedule(base: 1, warmupSteps: 0, decay: .cosine(totalSteps: 100, minimumFactor: 0.1))
    #expect(s.rate(at: 0) == 1)
    #expect(abs(s.rate(at: 50) - 0.55) < 1e-12)
    #expect(abs(s.rate(at: 100) - 0.1) < 1e-12)
    #expect(abs(s.rate(at: 1000) - 0.1) < 1e-12)
  }

  @Test func invalidSchedulesAreRejected() {
    #expect(throws: TrainingError.self) { try LearningRateSchedule(base: 0).validate() }
    #expect(throws: TrainingError.self) {
      try LearningRateSchedule(base: 1, decay: .exponential(factor: 2, every: 1)).validate()
    }
  }
}
