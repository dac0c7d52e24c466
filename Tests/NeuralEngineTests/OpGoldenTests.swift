// Op-level golden tests (each operator and option against LiteRT), bad-model errors, and mutated real models.
import Foundation
import ModelFiles
import NeuralEngine
import PoseScopeTestSupport
import Testing

// Fixtures: Tests/NeuralEngineTests/Fixtures/ops, made by tools/fixtures/make_op_models.py. Each case is a
// tiny float32 model (one or two operators; odd sizes, seeded random data) run by LiteRT with
// OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES; golden.safetensors holds `<case>/input<i>` and
// `<case>/output<i>`.

/// The path of `ops/<name>.<ext>` in the test bundle (`.copy("Fixtures")` keeps the folder layout).
private func opFixturePath(_ name: String, _ ext: String = "tflite") throws -> String {
  try FixtureFolder(.module).path("ops/" + name + "." + ext, hint: "run tools/fixtures/make_op_models.py")
}

/// The golden cases, in the order of the fixture's `cases` metadata.
private let goldenCases = [
  "add_broadcast_both", "add_broadcast_channel", "add_relu6", "add_same", "chain_pad_conv_add",
  "concat_axis1", "concat_axis1_rank3", "concat_axis3", "concat_axis_neg1", "conv_1x1", "conv_1x1_relu",
  "conv_1x1_s2", "conv_5x5_same", "conv_dilation2", "conv_dilation2_valid", "conv_nobias",
  "conv_nobias_omitted", "conv_same_s1", "conv_same_s2", "conv_same_s2_even", "conv_same_stride_2x1",
  "conv_valid", "conv_valid_s2", "densify_conv_1x1", "densify_conv_3x3", "depth_to_space_2",
  "depth_to_space_3", "dequantize_conv", "dw_5x5_nobias", "dw_dilation2", "dw_mult2_same",
  "dw_mult2_valid_s2", "dw_same", "dw_same_s2", "dw_valid", "dw_valid_s2", "logistic", "maxpool_same_f2s2",
  "maxpool_same_f3s2", "maxpool_same_f4s1", "maxpool_same_filter_over_input", "maxpool_valid_f2s2",
  "maxpool_valid_f3s1_relu", "pad_channels", "pad_hw", "pad_rank3", "reshape_flatten", "reshape_rank3",
  "resize_align_2x", "resize_align_down", "resize_align_to_1", "resize_align_up", "resize_half_2x",
  "resize_half_down", "resize_half_up", "resize_plain_2x", "resize_plain_down", "resize_plain_up",
]

/// Models the engine must reject; they have no golden outputs.
private let errorModels = [
  "invalid_add_int_operand", "invalid_add_shape_overflow", "invalid_constant_output_shape",
  "invalid_constant_size_overflow", "invalid_conv_filter_overflow", "invalid_conv_output_shape",
  "invalid_output_is_constant", "invalid_resize_align_half", "unsupported_mean", "unsupported_tanh",
]

/// Tolerance: |engine − LiteRT| ≤ 1e-5 · max(1, max |LiteRT output|), per output tensor. LiteRT's own
/// optimized and reference kernels differ by up to 1.4e-6 on these cases (printed by the generator).
private let relativeTolerance: Float = 1e-5

@Suite struct OpGoldenTests {
  @Test("engine output matches LiteRT", arguments: goldenCases)
  func matchesLiteRT(_ name: String) throws {
    let golden = try SafeTensors.read(path: opFixturePath("golden", "safetensors"))
    let model = try TFLiteModel.read(path: opFixturePath(name))
    let engine = try Interpreter(model: model)
    let preserved = try Interpreter(model: model, preserveAllTensors: true)
    #expect(golden.tensors["\(name)/input\(engine.inputs.count)"] == nil, "the golden file has more inputs")
    var inputs: [[Float]] = []
    for (i, info) in engine.inputs.enumerated() {
      let key = "\(name)/input\(i)"
      #expect(try golden.shape(key) == info.shape)
      inputs.append(try golden.floats(key))
      try inputs[i].withUnsafeBufferPointer {
        try engine.setInput(i, $0)
        try preserved.setInput(i, $0)
      }
    }
    engine.invoke()
    preserved.invoke()
    #expect(
      golden.tensors["\(name)/output\(engine.outputs.count)"] == nil, "the golden file has more outputs")
    var first: [[Float]] = []
    for (i, info) in engine.outputs.enumerated() {
      let key = "\(name)/output\(i)"
      #expect(try golden.shape(key) == info.shape)
      let want = try golden.floats(key)
      let got = engine.output(i)
      try #require(got.count == want.count)
      #expect(got.allSatisfy { $0.isFinite }, "\(name): non-finite output")
      let scale = max(1, want.map(abs).max() ?? 0)
      let diff = zip(got, want).map { abs($0 - $1) }.max() ?? 0
      #expect(diff <= relativeTolerance * scale, "\(name) output \(i): max |engine − LiteRT| = \(diff)")
      // Giving every tensor its own memory must not change anything (the arena plan is sound).
      let unshared = largestDifference(preserved.output(i), got)
      #expect(unshared == 0, "\(name): preserveAllTensors changes output \(i) by up to \(unshared)")
      #expect(engine.output(named: info.name) == got)
      first.append(got)
    }
    // Running again gives bit-identical outputs: after setting the inputs again (no state carried between
    // runs), and without setting them (inputs keep their values across invoke(), as in LiteRT).
    for (i, x) in inputs.enumerated() { try x.withUnsafeBufferPointer { try engine.setInput(i, $0) } }
    engine.invoke()
    for i in engine.outputs.indices {
      let d = largestDifference(engine.output(i), first[i])
      #expect(d == 0, "\(name): a second invoke with the same input changes output \(i) by up to \(d)")
    }
    engine.invoke()
    for i in engine.outputs.indices {
      let d = largestDifference(engine.output(i), first[i])
      #expect(d == 0, "\(name): invoking again without setInput changes output \(i) by up to \(d)")
    }
  }

  @Test("the fixture folder holds exactly the golden cases and the error models")
  func fixtureInventory() throws {
    let golden = try SafeTensors.read(path: opFixturePath("golden", "safetensors"))
    let meta = try #require(golden.metadata["posescope"])
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(meta.utf8)) as? [String: Any])
    #expect(json["cases"] as? [String] == goldenCases)
    #expect(json["resolver"] as? String == "BUILTIN_WITHOUT_DEFAULT_DELEGATES")
    let dir = URL(fileURLWithPath: try opFixturePath("golden", "safetensors")).deletingLastPathComponent()
    let models = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".tflite") }.map { String($0.dropLast(7)) }.sorted()
    #expect(models == (goldenCases + errorModels).sorted())
  }

  @Test("the golden cases cover every operator and option the engine implements")
  func coverage() throws {
    var ops = Set<String>()
    var convActs: [TFLiteActivation] = [], dwActs: [TFLiteActivation] = []
    var convPads = Set<String>(), dwPads = Set<String>(), poolPads = Set<String>()
    var resize = Set<String>(), dilated = Set<String>(), concatAxes = Set<Int>(), multipliers = Set<Int>()
    var addActs: [TFLiteActivation] = []
    for name in goldenCases {
      let g = try TFLiteModel.read(path: opFixturePath(name)).subgraphs[0]
      for op in g.operators {
        ops.insert(op.name)
        switch op.options {
        case .conv2D(let p, let sw, let sh, let a, let dw, let dh):
          convActs.append(a)
          convPads.insert("\(p) \(sw == 1 && sh == 1 ? "s1" : "s2")")
          if dw > 1 || dh > 1 { dilated.insert("conv \(p)") }
        case .depthwiseConv2D(let p, let sw, _, let m, let a, let dw, _):
          dwActs.append(a)
          dwPads.insert("\(p) \(sw == 1 ? "s1" : "s2")")
          multipliers.insert(m)
          if dw > 1 { dilated.insert("dw") }
        case .pool2D(let p, _, _, _, _, _): poolPads.insert("\(p)")
        case .resizeBilinear(let ac, let hp): resize.insert("\(ac) \(hp)")
        case .concatenation(let axis, _): concatAxes.insert(axis)
        case .add(let a): addActs.append(a)
        default: break
        }
      }
    }
    #expect(
      ops == [
        "CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "PAD", "MAX_POOL_2D", "RESIZE_BILINEAR", "DEPTH_TO_SPACE",
        "RESHAPE", "CONCATENATION", "LOGISTIC", "DEQUANTIZE", "DENSIFY",
      ])
    for a in [TFLiteActivation.none, .relu, .relu6, .reluN1To1] {
      #expect(convActs.contains(a) && dwActs.contains(a), "activation \(a)")
    }
    #expect(addActs.contains(.relu6) && addActs.contains(.none))
    #expect(convPads == ["same s1", "same s2", "valid s1", "valid s2"])
    #expect(dwPads == ["same s1", "same s2", "valid s1", "valid s2"])
    #expect(poolPads == ["same", "valid"])
    #expect(resize == ["false false", "true false", "false true"])
    #expect(dilated == ["conv same", "conv valid", "dw"])
    #expect(concatAxes == [1, 3, -1])
    #expect(multipliers == [1, 2])
  }

  @Test("an unsupported operator is reported by name and index", arguments: ["TANH", "MEAN"])
  func unsupportedOp(_ op: String) throws {
    let path = try opFixturePath("unsupported_" + op.lowercased())
    let error = #expect(throws: NeuralEngineError.self) { try Interpreter(path: path) }
    #expect(error == .unsupportedOp(name: op, index: 0))
    #expect(error?.description.contains("unsupported operator \(op) (operator #0)") == true)
  }

  @Test("inputs of the wrong size or index are refused")
  func inputMismatch() throws {
    let engine = try Interpreter(path: opFixturePath("conv_same_s1"))
    #expect(engine.inputs == [TensorInfo(name: "input", shape: [1, 7, 5, 3])])
    #expect(engine.outputs == [TensorInfo(name: "output", shape: [1, 7, 5, 5])])
    for count in [0, 104, 106] {
      let data = [Float](repeating: 0.5, count: count)
      let error = #expect(throws: NeuralEngineError.self) {
        try data.withUnsafeBufferPointer { try engine.setInput(0, $0) }
      }
      guard case .inputMismatch(let why)? = error else {
        Issue.record("expected inputMismatch for \(count) floats, got \(String(describing: error))")
        continue
      }
      #expect(why.contains("'input' takes 105 floats"), "\(why)")
    }
    let ok = [Float](repeating: 0.5, count: 105)
    for index in [1, -1] {
      let error = #expect(throws: NeuralEngineError.self) {
        try ok.withUnsafeBufferPointer { try engine.setInput(index, $0) }
      }
      guard case .inputMismatch? = error else {
        Issue.record("expected inputMismatch for input \(index), got \(String(describing: error))")
        continue
      }
    }
    #expect(engine.output(named: "no such output") == nil)
  }

  @Test("a declared output shape that disagrees with the op is an invalid model naming the op")
  func outputShapeDisagrees() throws {
    let path = try opFixturePath("invalid_conv_output_shape")
    let error = #expect(throws: NeuralEngineError.self) { try Interpreter(path: path) }
    guard case .invalidModel(let why)? = error else {
      Issue.record("expected invalidModel, got \(String(describing: error))")
      return
    }
    #expect(why.contains("CONV_2D (operator #0)"), "\(why)")
    #expect(why.contains("[1, 7, 5, 4]") && why.contains("[1, 4, 3, 4]"), "\(why)")
  }

  // The models below are valid flatbuffers that LiteRT refuses to prepare (the generator prints its
  // messages); the engine must refuse them too rather than compute garbage or crash later in invoke().

  @Test(
    "models LiteRT rejects are invalid models for the engine",
    arguments: [
      ("invalid_resize_align_half", "RESIZE_BILINEAR (operator #0)"),
      ("invalid_add_int_operand", "ADD (operator #0)"),
      ("invalid_output_is_constant", "CONV_2D (operator #0)"),
    ])
  func rejectedLikeLiteRT(_ name: String, _ op: String) throws {
    let model = try TFLiteModel.read(path: opFixturePath(name))
    let error = #expect(throws: NeuralEngineError.self) { try Interpreter(model: model) }
    guard case .invalidModel(let why)? = error else {
      Issue.record("\(name): expected invalidModel, got \(String(describing: error))")
      return
    }
    #expect(why.contains(op), "\(name): \(why)")
  }

  @Test("a constant graph output whose declared shape disagrees with its data is an invalid model")
  func constantOutputShape() throws {
    // LiteRT resizes the DEQUANTIZE output to the input's [2]; the engine would hand out 1000 floats read
    // from a 2-float allocation. Refusing the model is the safe answer.
    let model = try TFLiteModel.read(path: opFixturePath("invalid_constant_output_shape"))
    let error = #expect(throws: NeuralEngineError.self) { try Interpreter(model: model) }
    guard case .invalidModel(let why)? = error else {
      Issue.record("expected invalidModel, got \(String(describing: error))")
      return
    }
    #expect(why.contains("output"), "\(why)")
  }

  // Shapes whose element counts overflow Int64 must be refused, not trap; each runs in a child process so a
  // trap fails this test alone. The child exits 0 only when preparation throws a NeuralEngineError.

  @Test func filterShapeOverflowIsRefused() async {
    await #expect(processExitsWith: .success) { prepareExpectingRefusal("invalid_conv_filter_overflow") }
  }

  @Test func addShapeOverflowIsRefused() async {
    await #expect(processExitsWith: .success) { prepareExpectingRefusal("invalid_add_shape_overflow") }
  }

  @Test func constantSizeOverflowIsRefused() async {
    await #expect(processExitsWith: .success) { prepareExpectingRefusal("invalid_constant_size_overflow") }
  }
}

/// Prepares fixture `name` in an exit-test child: exits 0 on NeuralEngineError, 1 if it loads, 2 otherwise.
private func prepareExpectingRefusal(_ name: String) -> Never {
  do {
    _ = try Interpreter(path: opFixturePath(name))
    exit(1)
  } catch is NeuralEngineError {
    exit(0)
  } catch {
    exit(2)
  }
}

/// The byte ranges of `model` outside its buffers' data (a flip inside the data only changes a value).
private func structuralRanges(_ model: TFLiteModel) -> [Range<Int>] {
  var cuts = model.bufferRanges.compactMap { $0 }.sorted { $0.lowerBound < $1.lowerBound }
  cuts.append(model.bytes.count..<model.bytes.count)
  var out: [Range<Int>] = []
  var at = 0
  for r in cuts {
    if r.lowerBound > at { out.append(at..<r.lowerBound) }
    at = max(at, r.upperBound)
  }
  return out
}

/// Applies 1–4 seeded edits (xor, zero, 0xFF, ±1) at positions drawn from `ranges`; returns the positions.
private func mutate(_ m: inout [UInt8], in ranges: [Range<Int>], _ rng: inout SeededRandom) -> [Int] {
  let total = ranges.reduce(0) { $0 + $1.count }
  var edits: [Int] = []
  for _ in 0...rng.below(3) {
    var k = rng.below(total)
    var p = m.count - 1
    for r in ranges {
      if k < r.count {
        p = r.lowerBound + k
        break
      }
      k -= r.count
    }
    rng.mutateByte(&m, at: p)
    edits.append(p)
  }
  return edits
}

/// True when the engine would see the same graph in `a` and `b` (tensor names aside).
private func sameForEngine(_ a: TFLiteModel, _ b: TFLiteModel) -> Bool {
  guard a.bufferRanges == b.bufferRanges, a.subgraphs.count == b.subgraphs.count else { return false }
  let g = a.subgraphs[0], h = b.subgraphs[0]
  guard g.inputs == h.inputs, g.outputs == h.outputs, g.tensors.count == h.tensors.count,
    g.operators.count == h.operators.count
  else { return false }
  for (s, t) in zip(g.tensors, h.tensors)
  where s.shape != t.shape || s.type != t.type || s.buffer != t.buffer || s.sparsity != t.sparsity {
    return false
  }
  for (o, p) in zip(g.operators, h.operators)
  where o.builtin != p.builtin || o.customCode != p.customCode || o.inputs != p.inputs
    || o.outputs != p.outputs || o.options != p.options
  {
    return false
  }
  return true
}

/// Outcome counts of a mutation run.
private struct MutationTally {
  var malformed = 0, refused = 0, prepared = 0
}

/// Parses `m` and, when it parses, prepares an interpreter; records an issue for any other error type.
private func parseAndPrepare(
  _ m: [UInt8], _ label: String, unlessSameAs original: TFLiteModel? = nil, _ tally: inout MutationTally
) -> Interpreter? {
  let model: TFLiteModel
  do {
    model = try TFLiteModel(bytes: m, path: label)
  } catch is ModelFilesError {
    tally.malformed += 1
    return nil
  } catch {
    Issue.record("\(label): \(type(of: error)) is not a ModelFilesError: \(error)")
    return nil
  }
  if let original, sameForEngine(model, original) { return nil }
  do {
    let engine = try Interpreter(model: model)
    tally.prepared += 1
    return engine
  } catch is NeuralEngineError {
    tally.refused += 1
  } catch {
    Issue.record("\(label): \(type(of: error)) is not a NeuralEngineError: \(error)")
  }
  return nil
}

@Suite struct MutatedModelTests {
  /// Every golden op model, 24 seeded mutants each, edits in the flatbuffer structure (shapes, options,
  /// indices, offsets). Each must parse or throw ModelFilesError, then prepare or throw NeuralEngineError.
  @Test("mutated op models parse and prepare or throw, never trap")
  func opModelMutants() throws {
    var rng = SeededRandom(seed: 0x0BAD_5EED)
    var tally = MutationTally()
    for name in goldenCases {
      let original = try TFLiteModel.read(path: opFixturePath(name))
      let ranges = structuralRanges(original)
      for trial in 0..<24 {
        var m = original.bytes
        let edits = mutate(&m, in: ranges, &rng)
        _ = parseAndPrepare(m, "\(name) mutant \(trial) (bytes \(edits))", &tally)
      }
    }
    #expect(tally.malformed > 50 && tally.refused > 50 && tally.prepared > 50, "\(tally)")
  }

  /// Prepared mutants of the op models also run: a child process invokes each (naming it on stderr first),
  /// so a trap fails this test and names the mutant instead of killing the test run.
  @Test("prepared op-model mutants run without trapping")
  func opModelMutantsRun() async throws {
    let outcome = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
      invokeOpModelMutants()
    }
    let result = try #require(outcome)
    let lines = String(decoding: result.standardErrorContent, as: UTF8.self).split(separator: "\n")
    if result.exitStatus != .exitCode(0) {
      Issue.record("the child stopped (\(result.exitStatus)) after: \(lines.last ?? "nothing")")
    }
    #expect(lines.filter { $0.hasPrefix("invoking ") }.count > 50, "too few mutants ran")
  }

  /// The real models: seeded structural mutants until 8 per model change what the engine sees (most flips
  /// land in tensor names); each of those is prepared. Debug-build preparation of a real model takes ~0.4 s.
  @Test(
    "mutated real models parse and prepare or throw, never trap",
    arguments: [("pose_detection", UInt64(0x5EED_0001)), ("pose_landmark_full", UInt64(0x5EED_0002))])
  func realModelMutants(_ name: String, _ seed: UInt64) throws {
    let original = try TFLiteModel.read(path: TestAssets.model(name + ".tflite"))
    let ranges = structuralRanges(original)
    var rng = SeededRandom(seed: seed)
    var tally = MutationTally()
    var tried = 0
    while tally.refused + tally.prepared < 8 && tried < 100 {
      var m = original.bytes
      let edits = mutate(&m, in: ranges, &rng)
      _ = parseAndPrepare(
        m, "\(name) mutant \(tried) (seed \(seed), bytes \(edits))", unlessSameAs: original, &tally)
      tried += 1
    }
    #expect(tally.refused + tally.prepared == 8, "\(tally) after \(tried) mutants")
  }
}

/// Exit-test child: invokes every op-model mutant that prepares, writing its label to stderr first.
private func invokeOpModelMutants() {
  var rng = SeededRandom(seed: 0x0BAD_5EED)
  var tally = MutationTally()
  for name in goldenCases {
    guard let original = try? TFLiteModel.read(path: opFixturePath(name)) else { exit(3) }
    let ranges = structuralRanges(original)
    for trial in 0..<24 {
      var m = original.bytes
      let edits = mutate(&m, in: ranges, &rng)
      let label = "\(name) mutant \(trial) (bytes \(edits))"
      guard let engine = parseAndPrepare(m, label, &tally) else { continue }
      FileHandle.standardError.write(Data("invoking \(label)\n".utf8))
      for i in engine.inputs.indices {
        engine.withInput(i) { buf in
          for k in buf.indices { buf[k] = Float(k % 7) - 3 }
        }
      }
      engine.invoke()
      for i in engine.outputs.indices { _ = engine.output(i) }
    }
  }
  exit(0)
}
