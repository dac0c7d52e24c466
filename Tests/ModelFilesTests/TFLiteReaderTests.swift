// ModelFilesTests: the TFLite reader on the real BlazePose models, a feature fixture, and corrupt files.
import Foundation
import ModelFiles
import PoseScopeTestSupport
import Testing

// Fixtures: Tests/ModelFilesTests/Fixtures/tflite_reader_features.tflite and tflite_png_renamed.tflite, made
// by tools/fixtures/make_op_models.py. The real models come from scripts/fetch-assets.sh.

/// The path of `<name>.<ext>` in this test bundle's Fixtures folder.
private func readerFixturePath(_ name: String, _ ext: String = "tflite") throws -> String {
  try FixtureFolder(.module).path(name + "." + ext, hint: "run tools/fixtures/make_op_models.py")
}

/// Parses `bytes` and returns the kind of the ModelFilesError it must throw (nil, with an issue, otherwise).
private func readerErrorKind(
  _ bytes: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) -> ModelFilesError.Kind? {
  do {
    _ = try TFLiteModel(bytes: bytes, path: label)
    Issue.record("\(label): parsed, expected an error", sourceLocation: sourceLocation)
  } catch let e as ModelFilesError {
    #expect(e.path == label, sourceLocation: sourceLocation)
    #expect(e.description.hasPrefix(label + ": "), sourceLocation: sourceLocation)
    return e.kind
  } catch {
    Issue.record("\(label): \(type(of: error)) is not a ModelFilesError", sourceLocation: sourceLocation)
  }
  return nil
}

/// Expects `.malformed` with a reason containing `mention`.
private func expectMalformed(
  _ bytes: [UInt8], _ label: String, mentioning mention: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let kind = readerErrorKind(bytes, label, sourceLocation: sourceLocation) else { return }
  guard case .malformed(let why) = kind else {
    Issue.record("\(label): expected malformed, got \(kind)", sourceLocation: sourceLocation)
    return
  }
  #expect(why.contains(mention), "\(label): \(why)", sourceLocation: sourceLocation)
}

/// What the real models must contain (counted independently with the flatbuffer schema in Python).
struct RealModelFacts: Sendable, CustomTestStringConvertible {
  var name: String
  var opCounts: [String: Int]
  var tensors: Int, operators: Int, buffers: Int
  var inputs: [(String, [Int])]
  var outputs: [(String, [Int])]
  var firstConvInput: [Int]
  var firstConvOutput: [Int]
  var testDescription: String { name }
}

private let realModels = [
  RealModelFacts(
    name: "pose_detection",
    opCounts: [
      "CONV_2D": 45, "DEPTHWISE_CONV_2D": 28, "DENSIFY": 38, "DEQUANTIZE": 144, "ADD": 15, "PAD": 8,
      "RESHAPE": 6, "DEPTH_TO_SPACE": 3, "RESIZE_BILINEAR": 2, "CONCATENATION": 2,
    ],
    tensors: 442, operators: 291, buffers: 447,
    inputs: [("input_1", [1, 224, 224, 3])],
    outputs: [("Identity", [1, 2254, 12]), ("Identity_1", [1, 2254, 1])],
    firstConvInput: [1, 226, 226, 3], firstConvOutput: [1, 112, 112, 24]),
  RealModelFacts(
    name: "pose_landmark_full",
    opCounts: [
      "DEQUANTIZE": 192, "CONV_2D": 58, "DEPTHWISE_CONV_2D": 38, "ADD": 28, "PAD": 5, "RESIZE_BILINEAR": 5,
      "RESHAPE": 3, "MAX_POOL_2D": 2, "LOGISTIC": 1,
    ],
    tensors: 535, operators: 332, buffers: 348,
    inputs: [("input_1", [1, 256, 256, 3])],
    outputs: [
      ("Identity", [1, 195]), ("Identity_1", [1, 1]), ("Identity_2", [1, 256, 256, 1]),
      ("Identity_3", [1, 64, 64, 39]), ("Identity_4", [1, 117]),
    ],
    firstConvInput: [1, 258, 258, 3], firstConvOutput: [1, 128, 128, 24]),
]

/// A tiny flatbuffer navigator, independent of the reader, to find the bytes a corruption test changes.
private struct Navigator {
  var b: [UInt8]
  func u16(_ p: Int) -> Int { Int(b[p]) | Int(b[p + 1]) << 8 }
  func u32(_ p: Int) -> Int { u16(p) | u16(p + 2) << 16 }
  func i32(_ p: Int) -> Int { Int(Int32(truncatingIfNeeded: u32(p))) }
  var root: Int { u32(0) }
  func vtable(_ table: Int) -> Int { table - i32(table) }
  /// The absolute position of field `slot` of `table` (which must be present).
  func field(_ table: Int, _ slot: Int) -> Int {
    let vt = vtable(table)
    precondition(4 + 2 * slot < u16(vt) && u16(vt + 4 + 2 * slot) != 0, "test fixture lacks field \(slot)")
    return table + u16(vt + 4 + 2 * slot)
  }
  /// The position a reference field points to (a table, vector or string).
  func target(_ table: Int, _ slot: Int) -> Int {
    let p = field(table, slot)
    return p + u32(p)
  }
  /// The table at element `i` of the vector at `vec`.
  func element(_ vec: Int, _ i: Int) -> Int {
    let p = vec + 4 + 4 * i
    return p + u32(p)
  }
  mutating func set32(_ p: Int, _ v: UInt32) {
    for k in 0..<4 { b[p + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
  }
  mutating func set16(_ p: Int, _ v: UInt16) {
    b[p] = UInt8(truncatingIfNeeded: v)
    b[p + 1] = UInt8(truncatingIfNeeded: v >> 8)
  }
  // Schema slots used below.
  static let modelSubgraphs = 2, modelBuffers = 4
  static let subgraphTensors = 0, subgraphOperators = 3
  static let tensorShape = 0, tensorBuffer = 2, tensorName = 3, tensorSparsity = 6
  static let operatorOpcode = 0, operatorInputs = 1
  static let bufferOffset = 1
}

@Suite struct TFLiteReaderTests {
  @Test("the real models' operators, tensors, inputs, outputs and first convolution", arguments: realModels)
  func realModel(_ facts: RealModelFacts) throws {
    let path = try TestAssets.model(facts.name + ".tflite")
    let model = try TFLiteModel.read(path: path)
    #expect(model.path == path)
    #expect(model.version == 3)
    #expect(model.modelDescription == "MLIR Converted.")
    #expect(model.subgraphs.count == 1)
    #expect(model.bufferRanges.count == facts.buffers)
    let g = model.subgraphs[0]
    #expect(g.name == "main")
    #expect(g.tensors.count == facts.tensors)
    #expect(g.operators.count == facts.operators)
    let counts = Dictionary(g.operators.map { ($0.name, 1) }, uniquingKeysWith: +)
    #expect(counts == facts.opCounts)
    #expect(g.operators.allSatisfy { $0.customCode == nil && $0.builtin != nil })
    #expect(g.inputs.map { g.tensors[$0].name } == facts.inputs.map(\.0))
    #expect(g.inputs.map { g.tensors[$0].shape } == facts.inputs.map(\.1))
    #expect(g.outputs.map { g.tensors[$0].name } == facts.outputs.map(\.0))
    #expect(g.outputs.map { g.tensors[$0].shape } == facts.outputs.map(\.1))
    #expect((g.inputs + g.outputs).allSatisfy { g.tensors[$0].type == .float32 })

    // The first CONV_2D (operator #3, after PAD and two DEQUANTIZE): 3×3 VALID stride 2 with RELU6 on the
    // padded image, its float16 filter and bias dequantized by the operators before it.
    let k = try #require(g.operators.firstIndex { $0.builtin == .conv2D })
    #expect(k == 3)
    let conv = g.operators[k]
    #expect(
      conv.options
        == .conv2D(padding: .valid, strideW: 2, strideH: 2, activation: .relu6, dilationW: 1, dilationH: 1))
    try #require(conv.inputs.count == 3 && conv.outputs.count == 1)
    #expect(g.tensors[conv.inputs[0]].shape == facts.firstConvInput)
    #expect(g.tensors[conv.inputs[0]].name == "model_1/model/zero_padding2d/Pad")
    #expect(g.tensors[conv.inputs[1]].shape == [24, 3, 3, 3])
    #expect(g.tensors[conv.inputs[1]].name == "model_1/model/conv2d/Conv2D_dequantize")
    #expect(g.tensors[conv.inputs[2]].shape == [24])
    #expect(g.tensors[conv.outputs[0]].shape == facts.firstConvOutput)
    for (slot, count) in [(1, 24 * 27), (2, 24)] {
      let producer = try #require(g.operators.first { $0.outputs == [conv.inputs[slot]] })
      #expect(producer.builtin == .dequantize)
      let half = g.tensors[producer.inputs[0]]
      #expect(half.type == .float16)
      #expect(model.constantData(of: half)?.count == 2 * count)
    }
    // The first operator pads the image with a constant int32 [4, 2] paddings tensor.
    #expect(g.operators[0].builtin == .pad)
    let paddings = g.tensors[g.operators[0].inputs[1]]
    #expect(paddings.type == .int32 && paddings.shape == [4, 2])
    #expect(
      model.constantData(of: paddings).map(Array.init)
        == [0, 0, 1, 1, 1, 1, 0, 0].flatMap { [UInt8($0), 0, 0, 0] })
  }

  @Test("the detector's sparse weights: dense, dense, dense, CSR with uint8 index vectors")
  func detectorSparsity() throws {
    let model = try TFLiteModel.read(path: TestAssets.model("pose_detection.tflite"))
    let g = model.subgraphs[0]
    let sparse = g.tensors.filter { $0.sparsity != nil }
    #expect(sparse.count == 38)
    #expect(sparse.allSatisfy { $0.type == .float16 })
    let op = try #require(g.operators.first { $0.builtin == .densify })
    let t = g.tensors[op.inputs[0]]
    #expect(t.name == "model_1/model/conv2d_1/Conv2D_dequantize")
    #expect(t.shape == [16, 1, 1, 24])
    let sp = try #require(t.sparsity)
    #expect(sp.traversalOrder == [0, 1, 2, 3])
    #expect(sp.blockMap.isEmpty)
    #expect(sp.dimensions.map(\.isSparse) == [false, false, false, true])
    #expect(sp.dimensions.prefix(3).map(\.denseSize) == [16, 1, 1])
    let csr = sp.dimensions[3]
    #expect(csr.segments.count == 17 && csr.segments.first == 0 && csr.segments.last == 96)
    #expect(zip(csr.segments, csr.segments.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(csr.indices.count == 96 && csr.indices.allSatisfy { (0..<24).contains($0) })
    #expect(model.constantData(of: t)?.count == 96 * 2)
  }

  @Test("every decoded field of a model made to exercise the reader")
  func readerFeatures() throws {
    let model = try TFLiteModel.read(path: readerFixturePath("tflite_reader_features"))
    #expect(model.version == 3)
    #expect(model.modelDescription == "PoseScope op golden fixture (tools/fixtures/make_op_models.py)")
    let g = try #require(model.subgraphs.first)
    #expect(g.name == "main")
    let names = g.tensors.map(\.name)
    #expect(
      names == [
        "image", "filter", "conv", "dw_filter", "dw", "pool", "cat", "quantized", "size", "resized", "flat",
        "d2s", "nine", "custom_out", "gelu_out", "sparse", "dense", "external",
      ])
    func tensor(_ n: String) throws -> TFLiteTensor { g.tensors[try #require(names.firstIndex(of: n))] }
    #expect(g.inputs == [0])
    #expect(g.outputs.map { names[$0] } == ["gelu_out", "dense", "d2s", "external"])
    #expect(try tensor("image").shape == [1, 8, 6, 4])
    #expect(try tensor("image").type == .float32)
    #expect(try tensor("image").buffer == 0)
    #expect(try tensor("dw_filter").type == .float16)
    #expect(try tensor("size").type == .int32)
    #expect(try tensor("quantized").scales == [0.5, 0.25])
    #expect(try tensor("quantized").zeroPoints == [3, -2])
    #expect(try tensor("image").scales.isEmpty)

    let ops = g.operators
    #expect(
      ops.map(\.name) == [
        "CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "CONCATENATION", "ADD", "RESIZE_BILINEAR", "RESHAPE",
        "DEPTH_TO_SPACE", "CUSTOM(PoseScopeCustom)", "BUILTIN#150", "DENSIFY",
      ])
    #expect(
      ops[0].options
        == .conv2D(
          padding: .valid, strideW: 1, strideH: 2, activation: .reluN1To1, dilationW: 3, dilationH: 2))
    #expect(ops[0].inputs == [0, 1, -1])
    #expect(
      ops[1].options
        == .depthwiseConv2D(
          padding: .same, strideW: 2, strideH: 1, depthMultiplier: 2, activation: .relu, dilationW: 1,
          dilationH: 1))
    #expect(
      ops[2].options
        == .pool2D(padding: .valid, strideW: 1, strideH: 2, filterW: 3, filterH: 2, activation: .relu6))
    #expect(ops[3].options == .concatenation(axis: -1, activation: .none))
    #expect(ops[3].inputs == [5, 5])
    #expect(ops[4].options == .add(activation: .relu6))
    #expect(ops[5].options == .resizeBilinear(alignCorners: true, halfPixelCenters: false))
    #expect(ops[6].options == .reshape(newShape: [1, -1]))
    #expect(ops[7].options == .depthToSpace(blockSize: 3))
    #expect(ops[8].builtin == nil && ops[8].customCode == "PoseScopeCustom" && ops[8].options == .none)
    #expect(ops[9].builtin == TFLiteBuiltinOperator(rawValue: 150))
    #expect(ops[9].options == .undecoded(116))  // GeluOptions
    #expect(ops[10].builtin == .densify && ops[10].options == .none)
    #expect(ops.map(\.version) == [1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1])

    // Constant data: inline buffers and one stored after the flatbuffer through offset/size.
    let filter = try #require(model.constantData(of: try tensor("filter")))
    let values = stride(from: filter.startIndex, to: filter.endIndex, by: 4).map { i in
      Float(
        bitPattern: UInt32(filter[i]) | UInt32(filter[i + 1]) << 8 | UInt32(filter[i + 2]) << 16
          | UInt32(filter[i + 3]) << 24)
    }
    #expect(values == (0..<72).map { Float($0) / 8 })
    #expect(
      model.constantData(of: try tensor("dw_filter")).map(Array.init)
        == Array(repeating: [0x00, 0x3C], count: 9 * 4).flatMap { $0 })
    let external = try #require(model.constantData(of: try tensor("external")))
    #expect(external.endIndex == model.bytes.count && external.startIndex % 16 == 0)
    #expect(Array(external) == [0, 0, 0xE0, 0x40, 0, 0, 0xA0, 0xBF])  // 7.0, -1.25
    #expect(model.constantData(of: try tensor("image")) == nil)

    // Sparsity with uint16 segments and int32 indices.
    let sp = try #require(try tensor("sparse").sparsity)
    #expect(sp.traversalOrder == [0, 1])
    #expect(sp.dimensions.map(\.isSparse) == [false, true])
    #expect(sp.dimensions.map(\.denseSize) == [3, 0])
    #expect(sp.dimensions.map(\.segments) == [[], [0, 1, 1, 3]])  // uint16 vector
    #expect(sp.dimensions.map(\.indices) == [[], [2, 0, 3]])  // int32 vector
    #expect(try tensor("dense").sparsity == nil)
  }

  @Test("missing files, directories, empty and short files, and non-TFLite files")
  func badFiles() throws {
    let dir = try TestFiles.makeTemporaryFolderURL("posescope-tflite-tests")
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("nothing-here.tflite").path
    #expect(throws: ModelFilesError(path: missing, kind: .fileNotFound)) {
      try TFLiteModel.read(path: missing)
    }
    let error = #expect(throws: ModelFilesError.self) { try TFLiteModel.read(path: dir.path) }
    #expect(error?.kind == .unreadable("it is a directory"))
    #expect(error?.description.contains(dir.path) == true)

    for count in [0, 7] {
      let path = dir.appendingPathComponent("short\(count).tflite").path
      try TestFiles.write(Array(repeating: 0x54, count: count), to: path)
      let e = #expect(throws: ModelFilesError.self) { try TFLiteModel.read(path: path) }
      #expect(e?.kind == .notTFLite("file is \(count) bytes, too short"))
      #expect(e?.path == path)
    }
    let png = try readerFixturePath("tflite_png_renamed")
    let pngError = #expect(throws: ModelFilesError.self) { try TFLiteModel.read(path: png) }
    // PNG's bytes 4..<8 are \r \n 0x1A \n, none printable.
    #expect(pngError?.kind == .notTFLite("file identifier is \"....\", expected \"TFL3\""))
    #expect(pngError?.description.contains("not a TFLite model") == true)
    // A valid model with another file identifier.
    var bytes = try TFLiteModel.read(path: readerFixturePath("tflite_reader_features")).bytes
    bytes[4..<8] = [0x54, 0x46, 0x4C, 0x32]
    #expect(readerErrorKind(bytes, "tfl2") == .notTFLite("file identifier is \"TFL2\", expected \"TFL3\""))
  }

  @Test(
    "truncated real models are malformed, never a crash", arguments: ["pose_detection", "pose_landmark_full"])
  func truncated(_ name: String) throws {
    let model = try TFLiteModel.read(path: TestAssets.model(name + ".tflite"))
    let bytes = model.bytes
    for length in [8, 16, 1000, 40_000, bytes.count / 2] {
      let kind = readerErrorKind(Array(bytes[..<length]), "\(name)[..<\(length)]")
      guard case .malformed? = kind else {
        Issue.record("\(name) truncated to \(length): expected malformed, got \(String(describing: kind))")
        continue
      }
    }
    // All but the last byte. The detector ends with a zip archive (MediaPipe's associated files) outside
    // the flatbuffer, so it still parses to the same graph; the landmark model ends inside its flatbuffer.
    let cut = Array(bytes.dropLast())
    if name == "pose_detection" {
      let m = try TFLiteModel(bytes: cut, path: "cut")
      #expect(m.subgraphs[0].operators.map(\.name) == model.subgraphs[0].operators.map(\.name))
      #expect(m.bufferRanges == model.bufferRanges)
    } else {
      guard case .malformed? = readerErrorKind(cut, "\(name) minus its last byte") else {
        Issue.record("\(name) minus its last byte: expected malformed")
        return
      }
    }
  }

  @Test("offsets and lengths pointing outside the file are malformed")
  func corruptOffsets() throws {
    let original = Navigator(b: try TFLiteModel.read(path: readerFixturePath("tflite_reader_features")).bytes)
    let n = original.b.count
    let root = original.root
    let subgraph = original.element(original.target(root, Navigator.modelSubgraphs), 0)
    let tensors = original.target(subgraph, Navigator.subgraphTensors)
    let tensor0 = original.element(tensors, 0)
    let operators = original.target(subgraph, Navigator.subgraphOperators)
    let op0 = original.element(operators, 0), op1 = original.element(operators, 1)
    var f = original

    f = original
    f.set32(0, UInt32(n + 8))
    expectMalformed(f.b, "root past the end", mentioning: "root table points outside the file")
    f.set32(0, 0xFFFF_FFF0)
    expectMalformed(f.b, "root far past the end", mentioning: "root table points outside the file")

    f = original
    f.set32(root, UInt32(bitPattern: Int32(root - n - 4)))  // vtable = root − soffset = n + 4
    expectMalformed(f.b, "vtable past the end", mentioning: "vtable points outside the file")
    f.set32(root, UInt32(root + 64))  // vtable before the start of the file
    expectMalformed(f.b, "vtable before the start", mentioning: "vtable points outside the file")
    f.set32(root, 0x8000_0000)  // Int32.min: the subtraction must not overflow
    expectMalformed(f.b, "vtable at Int32.min", mentioning: "vtable points outside the file")

    f = original
    f.set16(original.vtable(root), 3)
    expectMalformed(f.b, "odd vtable size", mentioning: "vtable size 3 is invalid")

    f = original
    f.set32(original.target(root, Navigator.modelBuffers), 0xFFFF_FFFF)
    expectMalformed(f.b, "buffers length", mentioning: "Model.buffers: vector of 4294967295 elements")
    f = original
    f.set32(tensors, 0xFFFF_FFFF)
    expectMalformed(f.b, "tensors length", mentioning: "SubGraph.tensors: vector of 4294967295 elements")
    f = original
    f.set32(original.target(tensor0, Navigator.tensorShape), 0xFFFF_FFFF)
    expectMalformed(f.b, "shape length", mentioning: "Tensor.shape: vector of 4294967295 elements")
    f = original
    f.set32(original.target(tensor0, Navigator.tensorName), 0x7FFF_FFFF)
    expectMalformed(f.b, "name length", mentioning: "Tensor.name: vector of 2147483647 elements")
    f = original
    f.set32(original.target(tensor0, Navigator.tensorShape), 9)  // rank 9 still fits in the file
    expectMalformed(f.b, "rank 9", mentioning: "tensor 0 has rank 9")

    f = original
    f.set32(original.field(op1, Navigator.operatorOpcode), 200)  // op 0 has the default opcode 0 (absent)
    expectMalformed(f.b, "opcode index", mentioning: "operator 1 uses opcode 200 of 11")
    f = original
    f.set32(original.target(op0, Navigator.operatorInputs) + 4, 9999)
    expectMalformed(f.b, "input index", mentioning: "operator 0 input refers to tensor 9999 of 18")
    f = original
    f.set32(original.field(original.element(tensors, 1), Navigator.tensorBuffer), 99)
    expectMalformed(f.b, "buffer index", mentioning: "tensor 1 refers to buffer 99 of 6")

    // The buffer stored after the flatbuffer: an offset past the end.
    let buffers = original.target(root, Navigator.modelBuffers)
    f = original
    f.set32(original.field(original.element(buffers, 5), Navigator.bufferOffset), UInt32(n - 4))
    expectMalformed(
      f.b, "external buffer", mentioning: "buffer 5 (offset \(n - 4), size 8) lies outside the file")

    // The sparse tensor's index vector type (union tag) set to an unknown value.
    let sparse = original.element(tensors, 15)
    let csr = original.element(original.target(original.target(sparse, Navigator.tensorSparsity), 2), 1)
    f = original
    f.b[original.field(csr, 2)] = 7
    expectMalformed(f.b, "index vector type", mentioning: "unknown index vector type 7")
  }

  @Test(
    "seeded random byte mutations of the real models parse or throw ModelFilesError",
    // 200 mutants in all; fewer of the detector, whose large sparse index vectors make a debug parse ~80 ms.
    arguments: [
      ("pose_detection", UInt64(0xF00D_0001), 40), ("pose_landmark_full", UInt64(0xF00D_0002), 160),
    ])
  func mutations(_ name: String, _ seed: UInt64, _ count: Int) throws {
    let original = try TFLiteModel.read(path: TestAssets.model(name + ".tflite"))
    let bytes = original.bytes
    // Three edits in four hit the flatbuffer's structure (tables, vtables, vectors, offsets, strings: every
    // byte outside the weight buffers' data); the others hit anywhere.
    let data = original.bufferRanges.compactMap { $0 }.sorted { $0.lowerBound < $1.lowerBound }
    var structure: [Range<Int>] = []
    var at = 0
    for r in data + [bytes.count..<bytes.count] {
      if r.lowerBound > at { structure.append(at..<r.lowerBound) }
      at = max(at, r.upperBound)
    }
    let structural = structure.reduce(0) { $0 + $1.count }
    try #require(structural > 10_000)
    func structuralPosition(_ k: Int) -> Int {
      var k = k
      for r in structure {
        if k < r.count { return r.lowerBound + k }
        k -= r.count
      }
      return bytes.count - 1
    }
    var rng = SeededRandom(seed: seed)
    var parsed = 0, rejected = 0
    for trial in 0..<count {
      var m = bytes
      var edits: [Int] = []
      for _ in 0...rng.below(3) {
        let p = rng.below(4) == 0 ? rng.below(m.count) : structuralPosition(rng.below(structural))
        rng.mutateByte(&m, at: p)
        edits.append(p)
      }
      let label = "\(name) mutant \(trial) (seed \(seed), bytes \(edits))"
      do {
        let model = try TFLiteModel(bytes: m, path: label)
        // Whatever parsed must be consistent enough to walk (plain checks: #expect is slow in loops).
        var consistent = model.bufferRanges.allSatisfy { r in r.map { $0.upperBound <= m.count } ?? true }
        for g in model.subgraphs {
          let valid = g.tensors.indices
          for op in g.operators {
            consistent = consistent && op.inputs.allSatisfy { $0 == -1 || valid.contains($0) }
            consistent = consistent && op.outputs.allSatisfy { valid.contains($0) }
          }
          consistent = consistent && (g.inputs + g.outputs).allSatisfy { valid.contains($0) }
          for t in g.tensors { _ = model.constantData(of: t) }
        }
        if !consistent { Issue.record("\(label): parsed with out-of-range indices") }
        parsed += 1
      } catch is ModelFilesError {
        rejected += 1
      } catch {
        Issue.record("\(label): \(type(of: error)) is not a ModelFilesError: \(error)")
      }
    }
    #expect(parsed > 0 && rejected > 0, "parsed \(parsed), rejected \(rejected)")
  }
}
