// NeuralEngineTests: models found by fuzzing (Fuzz/run.sh tflite) stay refused, and the interpreter's memory
// caps hold.
import Foundation
import ModelFiles
import NeuralEngine
import PoseScopeTestSupport
import Testing

// Fixtures/fuzz/reshape-shape-overflow.tflite (476 bytes) is the crash input libFuzzer wrote
// (crash-38a84af9b48e1e3ad8265ffda4a6cbbf2466cb74): a RESHAPE whose output shape's element count overflows
// Int. Preparing it trapped in ReshapeKernel (product of the dimensions); now the interpreter refuses it.

/// The path of `Fixtures/<folder>/<name>.tflite` in this test bundle.
private func modelFixture(_ folder: String, _ name: String) throws -> String {
  try FixtureFolder(.module).path(folder + "/" + name + ".tflite")
}

/// Prepares the fuzz fixture in an exit-test child: exits 0 only when preparation throws `invalidModel` with
/// the expected message, 1 if it loads, 2 for another error (a trap kills the child instead).
private func prepareReshapeOverflow() -> Never {
  do {
    _ = try Interpreter(path: modelFixture("fuzz", "reshape-shape-overflow"))
    exit(1)
  } catch let error as NeuralEngineError {
    let expected = "(a negative dimension, or more than 268435456 elements)"
    guard case .invalidModel(let why) = error, why.hasPrefix("RESHAPE (operator #"), why.hasSuffix(expected)
    else {
      print("unexpected message: \(error)")
      exit(2)
    }
    exit(0)
  } catch {
    exit(2)
  }
}

@Suite struct FuzzRegressionTests {
  @Test func reshapeWithOverflowingShapeIsRefusedNotTrapped() async {
    await #expect(processExitsWith: .success) { prepareReshapeOverflow() }
  }

  @Test func shapeOverTheElementCapIsRefused() throws {
    var model = try TFLiteModel.read(path: modelFixture("ops", "reshape_flatten"))
    let g = model.subgraphs[0]
    let output = try #require(g.operators.first?.outputs.first)
    // 2^40 elements: no overflow, but over the cap.
    model.subgraphs[0].tensors[output].shape = [1, 1 << 20, 1 << 20]
    let error = #expect(throws: NeuralEngineError.self) { try Interpreter(model: model) }
    guard case .invalidModel(let why)? = error else {
      Issue.record("expected invalidModel, got \(String(describing: error))")
      return
    }
    #expect(why.contains("has shape [1, 1048576, 1048576]"), "\(why)")
    #expect(why.hasSuffix("(a negative dimension, or more than \(Interpreter.maxTensorElements) elements)"))
  }

  @Test func activationsOverTheArenaCapAreRefusedBeforeAllocating() throws {
    // Every tensor of a same-shape ADD made 2^27 floats (512 MiB): each is under the per-tensor cap, but
    // the arena holding inputs and output would exceed `maxArenaFloats`.
    var model = try TFLiteModel.read(path: modelFixture("ops", "add_same"))
    for i in model.subgraphs[0].tensors.indices {
      model.subgraphs[0].tensors[i].shape = [1, 4096, 4096, 8]
    }
    let error = #expect(throws: NeuralEngineError.self) { try Interpreter(model: model) }
    guard case .invalidModel(let why)? = error else {
      Issue.record("expected invalidModel, got \(String(describing: error))")
      return
    }
    #expect(why.hasPrefix("the model needs "), "\(why)")
    #expect(why.hasSuffix("over the limit of \(Interpreter.maxArenaFloats) each"), "\(why)")

    // Under the cap (three tensors of 2^22 floats) the same model prepares.
    for i in model.subgraphs[0].tensors.indices {
      model.subgraphs[0].tensors[i].shape = [1, 1024, 1024, 4]
    }
    let engine = try Interpreter(model: model)
    #expect(engine.arenaCount == 3 << 22)
  }

  @Test func sparseConstantsThatExpandPastTheCapAreRefused() throws {
    // The detector's DENSIFY inputs are small; one claiming 2^27 elements would expand to 512 MiB.
    var model = try TFLiteModel.read(path: TestAssets.model("pose_detection.tflite"))
    let g = model.subgraphs[0]
    let densify = try #require(g.operators.firstIndex { $0.builtin == .densify })
    let sparse = g.operators[densify].inputs[0]
    model.subgraphs[0].tensors[sparse].shape = [1 << 13, 1 << 13, 2]
    let error = #expect(throws: NeuralEngineError.self) { try Interpreter(model: model) }
    #expect(
      error?.description
        == "invalid model: DENSIFY (operator #\(densify)): the sparse constants expand to more than 16777216 "
        + "floats ('\(g.tensors[sparse].name)' has shape [8192, 8192, 2])")
  }

  @Test func realModelsFitWellUnderTheArenaCap() throws {
    for file in ["pose_detection.tflite", "pose_landmark_full.tflite"] {
      let engine = try Interpreter(path: TestAssets.model(file))
      #expect(engine.arenaCount > 0 && engine.arenaCount < Interpreter.maxArenaFloats / 4, "\(file)")
    }
  }
}
