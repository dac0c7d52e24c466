// ModelFiles: the parts of a TFLite model (schema v3) that PoseScope reads, parsed from the flatbuffer.
import FileSupport
import Foundation

/// A TFLite element type (the schema's `TensorType`).
public enum TFLiteTensorType: Equatable, Sendable, CustomStringConvertible {
  case float32, float16, int32, uint8, int64, bool, int16, int8, float64
  /// A type this reader knows only by its number.
  case other(Int8)

  init(code: Int8) {
    switch code {
    case 0: self = .float32
    case 1: self = .float16
    case 2: self = .int32
    case 3: self = .uint8
    case 4: self = .int64
    case 6: self = .bool
    case 7: self = .int16
    case 9: self = .int8
    case 10: self = .float64
    default: self = .other(code)
    }
  }

  /// Bytes per element, or nil for types without a fixed size here.
  public var byteSize: Int? {
    switch self {
    case .float32, .int32: return 4
    case .float16, .int16: return 2
    case .uint8, .int8, .bool: return 1
    case .int64, .float64: return 8
    case .other: return nil
    }
  }

  public var description: String {
    switch self {
    case .float32: return "float32"
    case .float16: return "float16"
    case .int32: return "int32"
    case .uint8: return "uint8"
    case .int64: return "int64"
    case .bool: return "bool"
    case .int16: return "int16"
    case .int8: return "int8"
    case .float64: return "float64"
    case .other(let c): return "type#\(c)"
    }
  }
}

/// A TFLite builtin operator code (the schema's `BuiltinOperator`), named for the ones PoseScope knows.
public struct TFLiteBuiltinOperator: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public var rawValue: Int32
  public init(rawValue: Int32) { self.rawValue = rawValue }

  public static let add = Self(rawValue: 0)
  public static let averagePool2D = Self(rawValue: 1)
  public static let concatenation = Self(rawValue: 2)
  public static let conv2D = Self(rawValue: 3)
  public static let depthwiseConv2D = Self(rawValue: 4)
  public static let depthToSpace = Self(rawValue: 5)
  public static let dequantize = Self(rawValue: 6)
  public static let fullyConnected = Self(rawValue: 9)
  public static let logistic = Self(rawValue: 14)
  public static let maxPool2D = Self(rawValue: 17)
  public static let mul = Self(rawValue: 18)
  public static let relu = Self(rawValue: 19)
  public static let relu6 = Self(rawValue: 21)
  public static let reshape = Self(rawValue: 22)
  public static let resizeBilinear = Self(rawValue: 23)
  public static let softmax = Self(rawValue: 25)
  public static let tanh = Self(rawValue: 28)
  public static let pad = Self(rawValue: 34)
  public static let prelu = Self(rawValue: 54)
  public static let padV2 = Self(rawValue: 60)
  public static let hardSwish = Self(rawValue: 117)
  public static let densify = Self(rawValue: 124)

  private static let names: [Int32: String] = [
    0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
    5: "DEPTH_TO_SPACE", 6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC", 17: "MAX_POOL_2D",
    18: "MUL", 19: "RELU", 21: "RELU6", 22: "RESHAPE", 23: "RESIZE_BILINEAR", 25: "SOFTMAX", 28: "TANH",
    34: "PAD", 40: "MEAN", 41: "SUB", 42: "DIV", 49: "SPLIT", 54: "PRELU", 60: "PADV2", 83: "PACK",
    117: "HARD_SWISH", 124: "DENSIFY", 126: "BATCH_MATMUL",
  ]

  /// The schema's name, e.g. `CONV_2D`, or `BUILTIN#n` for codes this reader has no name for.
  public var description: String { Self.names[rawValue] ?? "BUILTIN#\(rawValue)" }
}

/// A fused activation (the schema's `ActivationFunctionType`).
public enum TFLiteActivation: Equatable, Sendable {
  case none, relu, reluN1To1, relu6, tanh, signBit
  /// A code this reader does not know.
  case other(Int8)

  init(code: Int8) {
    switch code {
    case 0: self = .none
    case 1: self = .relu
    case 2: self = .reluN1To1
    case 3: self = .relu6
    case 4: self = .tanh
    case 5: self = .signBit
    default: self = .other(code)
    }
  }
}

/// Convolution/pooling padding (the schema's `Padding`).
public enum TFLitePadding: Equatable, Sendable {
  case same, valid
}

/// The builtin options of an operator that PoseScope's engine reads.
public enum TFLiteOptions: Equatable, Sendable {
  case none
  case conv2D(
    padding: TFLitePadding, strideW: Int, strideH: Int, activation: TFLiteActivation,
    dilationW: Int, dilationH: Int)
  case depthwiseConv2D(
    padding: TFLitePadding, strideW: Int, strideH: Int, depthMultiplier: Int,
    activation: TFLiteActivation, dilationW: Int, dilationH: Int)
  case pool2D(
    padding: TFLitePadding, strideW: Int, strideH: Int, filterW: Int, filterH: Int,
    activation: TFLiteActivation)
  case concatenation(axis: Int, activation: TFLiteActivation)
  case add(activation: TFLiteActivation)
  case resizeBilinear(alignCorners: Bool, halfPixelCenters: Bool)
  case reshape(newShape: [Int]?)
  case depthToSpace(blockSize: Int)
  /// Options of a type this reader does not decode (the union type code).
  case undecoded(UInt8)
}

/// One dimension of a sparse tensor's storage (the schema's `DimensionMetadata`).
public struct TFLiteDimensionMetadata: Equatable, Sendable {
  /// True for `SPARSE_CSR`, false for `DENSE`.
  public var isSparse: Bool
  /// The dense size (for dense dimensions).
  public var denseSize: Int
  /// Row segment starts (for sparse dimensions).
  public var segments: [Int]
  /// Column indices (for sparse dimensions).
  public var indices: [Int]
}

/// How a sparse constant is stored (the schema's `SparsityParameters`).
public struct TFLiteSparsity: Equatable, Sendable {
  public var traversalOrder: [Int]
  public var blockMap: [Int]
  public var dimensions: [TFLiteDimensionMetadata]
}

/// A tensor of a subgraph.
public struct TFLiteTensor: Sendable {
  /// The tensor's name in the model (e.g. `Identity`).
  public var name: String
  /// The static shape.
  public var shape: [Int]
  /// The element type.
  public var type: TFLiteTensorType
  /// The index of the model buffer holding constant data (0 or an empty buffer: no data).
  public var buffer: Int
  /// Sparse storage, for constants that DENSIFY expands.
  public var sparsity: TFLiteSparsity?
  /// Per-tensor or per-channel quantization scales (empty when not quantized).
  public var scales: [Float]
  /// Quantization zero points (empty when not quantized).
  public var zeroPoints: [Int64]

  /// The element count of `shape`, or nil when a dimension is negative or the product overflows.
  public var elementCount: Int? {
    var n = 1
    for d in shape {
      guard d >= 0 else { return nil }
      let (p, o) = n.multipliedReportingOverflow(by: d)
      if o { return nil }
      n = p
    }
    return n
  }
}

/// An operator of a subgraph.
public struct TFLiteOperator: Sendable {
  /// The builtin operator, or nil for a custom op.
  public var builtin: TFLiteBuiltinOperator?
  /// The custom op's name, when it is one.
  public var customCode: String?
  /// The operator version.
  public var version: Int
  /// Input tensor indices (-1 marks an omitted optional input).
  public var inputs: [Int]
  /// Output tensor indices.
  public var outputs: [Int]
  /// The decoded builtin options.
  public var options: TFLiteOptions

  /// The op's name, for messages.
  public var name: String { builtin?.description ?? "CUSTOM(\(customCode ?? "?"))" }
}

/// A subgraph: tensors, operators in execution order, and the graph's inputs and outputs.
public struct TFLiteSubgraph: Sendable {
  public var name: String?
  public var tensors: [TFLiteTensor]
  public var operators: [TFLiteOperator]
  public var inputs: [Int]
  public var outputs: [Int]
}

/// A parsed `.tflite` model. Constant data stays in `bytes`; `bufferRanges` locate it.
public struct TFLiteModel: Sendable {
  /// Where the model came from (a path, or a label for in-memory bytes).
  public var path: String
  /// The schema version (3 for current models).
  public var version: Int
  /// The model's description string.
  public var modelDescription: String?
  /// The subgraphs; the first is the main graph.
  public var subgraphs: [TFLiteSubgraph]
  /// Byte range in `bytes` of each model buffer (nil: the buffer holds no data).
  public var bufferRanges: [Range<Int>?]
  /// The whole file.
  public var bytes: [UInt8]

  /// Caps that keep a hostile file from asking for absurd work.
  public static let maxFileSize = 1 << 30
  static let maxTensors = 1 << 20
  static let maxRank = 8

  /// Reads and parses the model at `path`.
  public static func read(path: String) throws -> TFLiteModel {
    let bytes = try readFile(path: path)
    return try TFLiteModel(bytes: bytes, path: path)
  }

  /// The constant data of tensor `t` of `subgraph`, or nil if it has none.
  public func constantData(of t: TFLiteTensor) -> ArraySlice<UInt8>? {
    guard t.buffer > 0, t.buffer < bufferRanges.count, let r = bufferRanges[t.buffer], !r.isEmpty else {
      return nil
    }
    return bytes[r]
  }

  /// Parses a model from its bytes; `path` is used in error messages.
  public init(bytes: [UInt8], path: String) throws {
    self.path = path
    self.bytes = bytes
    let fb = FlatBuffer(bytes: bytes)
    func malformed(_ s: String) -> ModelFilesError { ModelFilesError(path: path, kind: .malformed(s)) }
    guard bytes.count >= 8 else {
      throw ModelFilesError(path: path, kind: .notTFLite("file is \(bytes.count) bytes, too short"))
    }
    guard bytes[4] == 0x54, bytes[5] == 0x46, bytes[6] == 0x4C, bytes[7] == 0x33 else {
      let id = bytes[4..<8].map { (32...126).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
      throw ModelFilesError(path: path, kind: .notTFLite("file identifier is \"\(id)\", expected \"TFL3\""))
    }
    do {
      let root = try fb.root()
      version = Int(try fb.scalar(root, 0, UInt32(0), "Model"))
      modelDescription = try fb.string(root, 3, "Model.description")

      // Operator codes.
      var codes: [(builtin: TFLiteBuiltinOperator?, custom: String?, version: Int)] = []
      for oc in try fb.tableVector(root, 1, "Model.operator_codes") {
        let deprecated = try fb.scalar(oc, 0, Int8(0), "OperatorCode")
        let custom = try fb.string(oc, 1, "OperatorCode.custom_code")
        let ver = try fb.scalar(oc, 2, Int32(1), "OperatorCode")
        let code = try fb.scalar(oc, 3, Int32(0), "OperatorCode")
        let b = max(Int32(deprecated), code)
        codes.append((b == 32 ? nil : TFLiteBuiltinOperator(rawValue: b), custom, Int(ver)))
      }

      // Buffers.
      var ranges: [Range<Int>?] = []
      for b in try fb.tableVector(root, 4, "Model.buffers") {
        if let r = try fb.byteRange(b, 0, "Buffer.data"), !r.isEmpty {
          ranges.append(r)
        } else {
          let off = try fb.scalar(b, 1, UInt64(0), "Buffer")
          let size = try fb.scalar(b, 2, UInt64(0), "Buffer")
          if off > 1 && size > 0 {
            guard off <= UInt64(bytes.count), size <= UInt64(bytes.count) - off else {
              throw malformed("buffer \(ranges.count) (offset \(off), size \(size)) lies outside the file")
            }
            ranges.append(Int(off)..<Int(off + size))
          } else {
            ranges.append(nil)
          }
        }
      }
      bufferRanges = ranges

      var graphs: [TFLiteSubgraph] = []
      for g in try fb.tableVector(root, 2, "Model.subgraphs") {
        graphs.append(try Self.parseSubgraph(fb, g, codes: codes, buffers: ranges.count, malformed))
      }
      guard !graphs.isEmpty else { throw malformed("the model has no subgraph") }
      subgraphs = graphs
    } catch let e as FlatBuffer.OutOfBounds {
      throw malformed(e.what)
    }
  }

  private static func parseSubgraph(
    _ fb: FlatBuffer, _ g: Int, codes: [(builtin: TFLiteBuiltinOperator?, custom: String?, version: Int)],
    buffers: Int, _ malformed: (String) -> ModelFilesError
  ) throws -> TFLiteSubgraph {
    let tensorTables = try fb.tableVector(g, 0, "SubGraph.tensors")
    guard tensorTables.count <= maxTensors else {
      throw malformed("\(tensorTables.count) tensors is too many")
    }
    var tensors: [TFLiteTensor] = []
    tensors.reserveCapacity(tensorTables.count)
    for (ti, t) in tensorTables.enumerated() {
      let shape32 = try fb.intVector(t, 0, Int32.self, "Tensor.shape") ?? []
      guard shape32.count <= maxRank else { throw malformed("tensor \(ti) has rank \(shape32.count)") }
      let type = TFLiteTensorType(code: try fb.scalar(t, 1, Int8(0), "Tensor"))
      let buffer = Int(try fb.scalar(t, 2, UInt32(0), "Tensor"))
      guard buffer < max(buffers, 1) else {
        throw malformed("tensor \(ti) refers to buffer \(buffer) of \(buffers)")
      }
      let name = try fb.string(t, 3, "Tensor.name") ?? "tensor\(ti)"
      var scales: [Float] = []
      var zeros: [Int64] = []
      if let q = try fb.indirect(t, 4, "Tensor.quantization") {
        scales = (try fb.intVector(q, 2, UInt32.self, "Quantization.scale") ?? []).map {
          Float(bitPattern: $0)
        }
        zeros = try fb.intVector(q, 3, Int64.self, "Quantization.zero_point") ?? []
      }
      var sparsity: TFLiteSparsity? = nil
      if let s = try fb.indirect(t, 6, "Tensor.sparsity") {
        sparsity = try parseSparsity(fb, s, malformed)
      }
      let tensor = TFLiteTensor(
        name: name, shape: shape32.map { Int($0) }, type: type, buffer: buffer, sparsity: sparsity,
        scales: scales, zeroPoints: zeros)
      tensors.append(tensor)
    }
    func checkIndices(_ v: [Int32], _ what: String, allowOmitted: Bool) throws -> [Int] {
      try v.map { i in
        if allowOmitted && i == -1 { return -1 }
        guard i >= 0, Int(i) < tensors.count else {
          throw malformed("\(what) refers to tensor \(i) of \(tensors.count)")
        }
        return Int(i)
      }
    }
    var ops: [TFLiteOperator] = []
    for (oi, o) in try fb.tableVector(g, 3, "SubGraph.operators").enumerated() {
      let idx = Int(try fb.scalar(o, 0, UInt32(0), "Operator"))
      guard idx < codes.count else { throw malformed("operator \(oi) uses opcode \(idx) of \(codes.count)") }
      let inputs = try checkIndices(
        try fb.intVector(o, 1, Int32.self, "Operator.inputs") ?? [], "operator \(oi) input",
        allowOmitted: true)
      let outputs = try checkIndices(
        try fb.intVector(o, 2, Int32.self, "Operator.outputs") ?? [], "operator \(oi) output",
        allowOmitted: false)
      let optType = try fb.scalar(o, 3, UInt8(0), "Operator")
      let optTable = try fb.indirect(o, 4, "Operator.builtin_options")
      let options = try parseOptions(fb, optType, optTable)
      ops.append(
        TFLiteOperator(
          builtin: codes[idx].builtin, customCode: codes[idx].custom, version: codes[idx].version,
          inputs: inputs, outputs: outputs, options: options))
    }
    let inputs = try checkIndices(
      try fb.intVector(g, 1, Int32.self, "SubGraph.inputs") ?? [], "graph input", allowOmitted: false)
    let outputs = try checkIndices(
      try fb.intVector(g, 2, Int32.self, "SubGraph.outputs") ?? [], "graph output", allowOmitted: false)
    let name = try fb.string(g, 4, "SubGraph.name")
    return TFLiteSubgraph(name: name, tensors: tensors, operators: ops, inputs: inputs, outputs: outputs)
  }

  private static func parseSparsity(
    _ fb: FlatBuffer, _ s: Int, _ malformed: (String) -> ModelFilesError
  ) throws -> TFLiteSparsity {
    let order = (try fb.intVector(s, 0, Int32.self, "Sparsity.traversal_order") ?? []).map { Int($0) }
    let blockMap = (try fb.intVector(s, 1, Int32.self, "Sparsity.block_map") ?? []).map { Int($0) }
    var dims: [TFLiteDimensionMetadata] = []
    for d in try fb.tableVector(s, 2, "Sparsity.dim_metadata") {
      let format = try fb.scalar(d, 0, Int8(0), "DimensionMetadata")
      let dense = Int(try fb.scalar(d, 1, Int32(0), "DimensionMetadata"))
      func indexVector(_ typeSlot: Int, _ what: String) throws -> [Int] {
        let type = try fb.scalar(d, typeSlot, UInt8(0), "DimensionMetadata")
        guard let t = try fb.indirect(d, typeSlot + 1, what) else { return [] }
        switch type {
        case 1: return (try fb.intVector(t, 0, Int32.self, what) ?? []).map { Int($0) }
        case 2: return (try fb.intVector(t, 0, UInt16.self, what) ?? []).map { Int($0) }
        case 3: return (try fb.intVector(t, 0, UInt8.self, what) ?? []).map { Int($0) }
        default: throw malformed("\(what) has unknown index vector type \(type)")
        }
      }
      let segments = format == 1 ? try indexVector(2, "DimensionMetadata.array_segments") : []
      let indices = format == 1 ? try indexVector(4, "DimensionMetadata.array_indices") : []
      guard format == 0 || format == 1 else { throw malformed("unknown dimension format \(format)") }
      dims.append(
        TFLiteDimensionMetadata(isSparse: format == 1, denseSize: dense, segments: segments, indices: indices)
      )
    }
    return TFLiteSparsity(traversalOrder: order, blockMap: blockMap, dimensions: dims)
  }

  private static func parseOptions(_ fb: FlatBuffer, _ type: UInt8, _ t: Int?) throws -> TFLiteOptions {
    guard let t else { return type == 0 ? .none : .undecoded(type) }
    func i(_ slot: Int, _ def: Int32 = 0) throws -> Int { Int(try fb.scalar(t, slot, def, "options")) }
    func b(_ slot: Int) throws -> Bool { try fb.scalar(t, slot, UInt8(0), "options") != 0 }
    func act(_ slot: Int) throws -> TFLiteActivation {
      TFLiteActivation(code: try fb.scalar(t, slot, Int8(0), "options"))
    }
    func pad(_ slot: Int) throws -> TFLitePadding {
      try fb.scalar(t, slot, Int8(0), "options") == 1 ? .valid : .same
    }
    switch type {
    case 1:
      return .conv2D(
        padding: try pad(0), strideW: try i(1), strideH: try i(2), activation: try act(3),
        dilationW: try i(4, 1), dilationH: try i(5, 1))
    case 2:
      return .depthwiseConv2D(
        padding: try pad(0), strideW: try i(1), strideH: try i(2), depthMultiplier: try i(3),
        activation: try act(4), dilationW: try i(5, 1), dilationH: try i(6, 1))
    case 5:
      return .pool2D(
        padding: try pad(0), strideW: try i(1), strideH: try i(2), filterW: try i(3), filterH: try i(4),
        activation: try act(5))
    case 10: return .concatenation(axis: try i(0), activation: try act(1))
    case 11: return .add(activation: try act(0))
    case 15: return .resizeBilinear(alignCorners: try b(2), halfPixelCenters: try b(3))
    case 17:
      return .reshape(newShape: (try fb.intVector(t, 0, Int32.self, "ReshapeOptions"))?.map { Int($0) })
    case 94: return .depthToSpace(blockSize: try i(0))
    default: return .undecoded(type)
    }
  }
}

/// Reads a whole model file (FileSupport's `BoundedRead`, at most `TFLiteModel.maxFileSize` bytes) with clear
/// errors for missing, unreadable and oversized files.
func readFile(path: String) throws -> [UInt8] {
  do {
    return try BoundedRead.bytes(path, limit: TFLiteModel.maxFileSize)
  } catch {
    switch error {
    case .notFound:
      // A link that exists but leads nowhere is not "not found".
      if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil {
        throw ModelFilesError(
          path: path, kind: .unreadable("it is a symbolic link to nothing (a dangling link or a loop)"))
      }
      throw ModelFilesError(path: path, kind: .fileNotFound)
    case .unreadable(_, ELOOP):
      throw ModelFilesError(
        path: path, kind: .unreadable("it is a symbolic link to nothing (a dangling link or a loop)"))
    case .isDirectory: throw ModelFilesError(path: path, kind: .unreadable("it is a directory"))
    case .notRegularFile: throw ModelFilesError(path: path, kind: .unreadable("it is not a regular file"))
    case .tooLarge(let size):
      throw ModelFilesError(path: path, kind: .unreadable("file is \(size) bytes, over the 1 GiB limit"))
    case .unreadable(let reason, _): throw ModelFilesError(path: path, kind: .unreadable(reason.lowercased()))
    }
  }
}
