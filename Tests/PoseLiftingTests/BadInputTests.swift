// PoseLiftingTests: files and calls a lifter refuses, each with an error that says what and where — another
// format, a bad configuration or role, a missing, misshapen or non-finite tensor, bad heights, thread
// counts, point counts and values, and `adjust` without an adjustment network.

import Foundation
import ModelFiles
import PoseCore
import PoseLifting
import PoseScopeTestSupport
import Testing

@Suite struct BadInputTests {
  /// The `LiftingError` `body` throws (nil, recorded as an issue, when it throws none or another error).
  private func liftingError(_ body: () throws -> Void) -> LiftingError? {
    do {
      try body()
      Issue.record("expected a LiftingError")
    } catch let error as LiftingError {
      return error
    } catch {
      Issue.record("expected a LiftingError, got \(error)")
    }
    return nil
  }

  /// The error of loading `source` after `edit`, written to a temporary file, with the file's path.
  private func loadError(
    _ source: String,
    _ edit: (inout [String: String], inout [String: (values: [Float], shape: [Int])]) -> Void
  ) throws -> (error: LiftingError?, path: String) {
    let path = (try TestFiles.makeTemporaryFolder("poselifting") as NSString).appendingPathComponent(
      "lifter.safetensors")
    try rewrite(try SafeTensors.read(path: source), to: path, edit: edit)
    return (liftingError { _ = try Lifter.load(path: path) }, path)
  }

  @Test func anotherFormatNamesTheFileAndTheFormatsExpected() throws {
    let (error, path) = try loadError(unsupervisedPath) { metadata, _ in
      metadata["format"] = "something-else/2"
    }
    let text = "\(try #require(error))"
    for part in [
      path, "something-else/2", LifterKind.supervisedFormat, LifterKind.unsupervisedFormat,
      LifterKind.checkpointFormat, "not a PoseScope lifter",
    ] {
      #expect(text.contains(part), "\(text) lacks \(part)")
    }
    let (missing, _) = try loadError(unsupervisedPath) { metadata, _ in metadata["format"] = nil }
    #expect("\(try #require(missing))".contains("'format' is missing"))
    // Not a safetensors file at all, and no file.
    let junk = (try TestFiles.makeTemporaryFolder("poselifting") as NSString).appendingPathComponent(
      "junk.safetensors")
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: junk))
    #expect(throws: SafeTensorsError.self) { try Lifter.load(path: junk) }
    #expect(throws: SafeTensorsError.self) { try Lifter.load(path: junk + ".missing") }
  }

  @Test func badConfigurationsAndRolesAreRefused() throws {
    let network51 = #"{"network": {"inputs": 34, "outputs": 51}}"#
    let network50 = #"{"network": {"inputs": 34, "outputs": 50}}"#
    let cases: [(String, String, (inout [String: String]) -> Void)] = [
      (supervisedPath, "'config' is missing", { $0["config"] = nil }),
      (supervisedPath, "not a training configuration", { $0["config"] = "[1, 2]" }),
      (supervisedPath, "34 inputs to 51 outputs", { $0["config"] = network50 }),
      (supervisedPath, "output scale", { $0["config"] = #"{"outputScale": -1}"# }),
      (supervisedPath, "AITE stages", { $0["config"] = #"{"adjustment": {"stages": 17}}"# }),
      (unsupervisedPath, "not an unsupervised configuration", { $0["config"] = "7" }),
      (unsupervisedPath, "34 inputs to 16 depths", { $0["config"] = network51 }),
      (unsupervisedPath, "'role' is 'assistant'", { $0["role"] = "assistant" }),
    ]
    for (source, expected, edit) in cases {
      let (error, path) = try loadError(source) { metadata, _ in edit(&metadata) }
      let text = "\(try #require(error))"
      #expect(text.contains(path) && text.contains(expected), "\(text) lacks \(expected)")
    }
  }

  @Test func missingMisshapenAndNonFiniteTensorsAreRefused() throws {
    let weight = "student.block1.linear2.weight"
    let bias = "student.output.bias"
    let scale = "student.input_norm.scale"
    let variance = "lifter.block0.norm2.running_variance"
    let mean = "lifter.input_norm.running_mean"
    let gate = "adjustment.dcm1.head.output.weight"
    let cases: [(String, String, (inout [String: (values: [Float], shape: [Int])]) -> Void)] = [
      (unsupervisedPath, "tensor '\(weight)' is missing", { $0[weight] = nil }),
      (unsupervisedPath, "tensor '\(bias)' has shape [16]", { $0[bias]?.shape = [16] }),
      (unsupervisedPath, "tensor '\(weight)' contains NaN", { $0[weight]?.values[7] = .nan }),
      (unsupervisedPath, "tensor '\(scale)' contains NaN", { $0[scale]?.values[0] = .infinity }),
      (supervisedPath, "tensor '\(variance)' is missing", { $0[variance] = nil }),
      (supervisedPath, "tensor '\(mean)' contains NaN", { $0[mean]?.values[3] = .nan }),
      (supervisedPath, "tensor '\(gate)' contains NaN", { $0[gate]?.values[0] = -.infinity }),
    ]
    for (source, expected, edit) in cases {
      let (error, path) = try loadError(source) { _, tensors in edit(&tensors) }
      let text = "\(try #require(error))"
      #expect(text.contains(path) && text.contains(expected), "\(text) lacks \(expected)")
    }
    // A file without (all of) A's tensors is a lifter without adjustment, as before.
    let path = (try TestFiles.makeTemporaryFolder("poselifting") as NSString).appendingPathComponent(
      "p.safetensors")
    try rewrite(try SafeTensors.read(path: supervisedPath), to: path) { _, tensors in
      tensors["adjustment.dcm1.head.hidden.bias"] = nil
    }
    let plain = try Lifter.load(path: path)
    #expect(!plain.hasAdjustment && plain.summary == "supervised lifter")
    let (pose, lengths) = ([Vec3](repeating: .zero, count: 17), [Double](repeating: 0.3, count: 16))
    #expect(liftingError { _ = try plain.adjust(pose, lengths: lengths) } == .noAdjustmentNetwork(path: path))
  }

  @Test func badHeightsThreadsAndInputsAreRefused() throws {
    for height in [0.1, 3, -.infinity, .nan] {
      let error = liftingError { _ = try Lifter.load(path: unsupervisedPath, height: height) }
      #expect("\(try #require(error))".contains("body height"))
    }
    for threads in [0, 65] {
      let error = liftingError { _ = try Lifter.load(path: supervisedPath, threads: threads) }
      #expect("\(try #require(error))".contains("threads"))
    }
    let lifter = try Lifter.load(path: supervisedPath)
    let points = try Golden.load().supervised.cases[0].imagePoints
    #expect(
      liftingError { _ = try lifter.lift(Array(points.prefix(16))) }
        == .shapeMismatch(what: "lifter input", expected: "17 points", actual: "16"))
    #expect(
      liftingError { _ = try lifter.lift([points, points + [points[0]]]) }
        == .shapeMismatch(what: "lifter input 1", expected: "17 points", actual: "18"))
    var bad = points
    bad[5].y = .nan
    #expect("\(try #require(liftingError { _ = try lifter.lift(bad) }))".contains("NaN or infinite"))
    let pose = try lifter.lift(points)
    let lengths = [Double](repeating: 0.3, count: 16)
    #expect(
      liftingError { _ = try lifter.adjust(pose, lengths: Array(lengths.prefix(15))) }
        == .shapeMismatch(what: "bone lengths", expected: "16", actual: "15"))
    #expect(
      liftingError { _ = try lifter.adjust(Array(pose.prefix(3)), lengths: lengths) }
        == .shapeMismatch(what: "pose", expected: "17 joints", actual: "3"))
    #expect(liftingError { _ = try lifter.adjust(pose, lengths: lengths.map { $0 * .infinity }) } != nil)
    let unsupervised = try Lifter.load(path: unsupervisedPath)
    #expect(
      liftingError { _ = try unsupervised.adjust(pose, lengths: lengths) }
        == .noAdjustmentNetwork(path: unsupervisedPath))
  }
}
