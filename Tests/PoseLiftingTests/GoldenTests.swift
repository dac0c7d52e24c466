// PoseLiftingTests: the shipped lifters against outputs PoseTraining's code gave before PoseLifting existed
// (Fixtures/golden.json), one pose at a time, batched and on two threads.

import Foundation
import PoseCore
import PoseLifting
import Testing

/// `Fixtures/golden.json` (see Fixtures/README.md).
struct Golden: Decodable {
  struct Case: Decodable {
    var points: [[Double]]
    var pose: [[Double]]
    var adjusted: [[Double]]?
  }
  struct Model: Decodable {
    var file: String
    var height: Double?
    var lengths: [Double]?
    var cases: [Case]
  }
  var supervised: Model
  var unsupervised: Model

  static func load() throws -> Golden {
    let data = try #require(FileManager.default.contents(atPath: try fixturePath("golden.json")))
    return try JSONDecoder().decode(Golden.self, from: data)
  }
}

extension Golden.Case {
  var imagePoints: [Vec2] { points.map { Vec2($0[0], $0[1]) } }
  var expected: [Vec3] { pose.map { Vec3($0[0], $0[1], $0[2]) } }
  var expectedAdjusted: [Vec3]? { adjusted?.map { Vec3($0[0], $0[1], $0[2]) } }
}

@Suite struct GoldenTests {
  /// Tolerance in metres (a hundredth of a millimetre).
  let tolerance = 1e-5

  @Test func shippedSupervisedLifterGivesTheGoldenPosesAndAdjustments() throws {
    let golden = try Golden.load().supervised
    let lifter = try Lifter.load(path: packagePath(golden.file))
    #expect(lifter.kind == .supervised && lifter.hasAdjustment)
    #expect(lifter.shortName == "AITE lifter" && lifter.summary == "supervised lifter with a DCM cascade")
    #expect(lifter.metadata["format"] == LifterKind.supervisedFormat)
    let lengths = try #require(golden.lengths)
    #expect(golden.cases.count == 6)
    for (i, c) in golden.cases.enumerated() {
      let pose = try lifter.lift(c.imagePoints)
      #expect(maxDifference(pose, c.expected) < tolerance, "case \(i): \(maxDifference(pose, c.expected)) m")
      let expected = try #require(c.expectedAdjusted)
      let adjusted = try lifter.adjust(c.expected, lengths: lengths)
      #expect(
        maxDifference(adjusted, expected) < tolerance, "case \(i): \(maxDifference(adjusted, expected)) m")
    }
  }

  @Test func shippedUnsupervisedLifterGivesTheGoldenPoses() throws {
    let golden = try Golden.load().unsupervised
    let height = try #require(golden.height)
    let lifter = try Lifter.load(path: packagePath(golden.file), height: height)
    #expect(lifter.kind == .unsupervised && !lifter.hasAdjustment)
    #expect(lifter.shortName == "unsupervised student")
    #expect(lifter.summary == "unsupervised lifter (student), scaled to a 1.7 m body")
    for (i, c) in golden.cases.enumerated() {
      let pose = try lifter.lift(c.imagePoints)
      #expect(pose[0] == Vec3(0, 0, 0))
      #expect(maxDifference(pose, c.expected) < tolerance, "case \(i): \(maxDifference(pose, c.expected)) m")
    }
    // Another height scales the same pose.
    let taller = try Lifter.load(path: packagePath(golden.file), height: 1.87)
    let c = golden.cases[0]
    #expect(maxDifference(try taller.lift(c.imagePoints), c.expected.map { 1.1 * $0 }) < 1.1 * tolerance)
  }

  @Test func batchesAndThreadsGiveTheSamePoses() throws {
    let golden = try Golden.load()
    for model in [golden.supervised, golden.unsupervised] {
      // Enough poses for a pass to be split between the threads, in two passes (512 + the rest).
      let cases = (0..<600).map { model.cases[$0 % model.cases.count] }
      let one = try Lifter.load(path: packagePath(model.file))
      let two = try Lifter.load(path: packagePath(model.file), threads: 2)
      let batch = try two.lift(cases.map(\.imagePoints))
      #expect(batch.count == cases.count)
      var worst = 0.0
      for (pose, c) in zip(batch, cases) { worst = max(worst, maxDifference(pose, c.expected)) }
      #expect(worst < tolerance, "\(model.file): \(worst) m")
      // Rows do not depend on their batch: one at a time on one thread gives the same numbers.
      for (i, c) in cases.prefix(12).enumerated() {
        #expect(try one.lift(c.imagePoints) == batch[i])
      }
      #expect(try one.lift([[Vec2]]()).isEmpty)
    }
  }
}
