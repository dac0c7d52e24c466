// NeuralEngine: the interpreter — folds constants, prepares kernels, plans one arena, runs the subgraph.
import COpenBLAS
import Dispatch
import ModelFiles

/// The name and shape of a graph input or output.
public struct TensorInfo: Sendable, Equatable {
  public var name: String
  public var shape: [Int]
  /// Creates a description of a tensor.
  public init(name: String, shape: [Int]) {
    self.name = name
    self.shape = shape
  }
  /// The element count.
  public var count: Int { shape.reduce(1, *) }
}

/// Runs the main subgraph of a TFLite model on float32 NHWC tensors.
///
/// At load time DEQUANTIZE and DENSIFY of constants are evaluated once, every other operator becomes a
/// prepared kernel with its shapes checked, and all activations are placed in one arena by a liveness
/// plan, so `invoke()` allocates nothing.
public final class Interpreter {
  /// The graph inputs.
  public let inputs: [TensorInfo]
  /// The graph outputs.
  public let outputs: [TensorInfo]
  /// Number of operators that run per invocation (constant ops folded away).
  public var kernelCount: Int { kernels.count }
  /// Floats in the activation arena.
  public let arenaCount: Int
  /// Operators dropped because they feed no wanted output.
  public let prunedOperatorCount: Int

  private let kernels: [any Kernel]
  /// Each running kernel's op name and operator index, for profiles.
  public let kernelLabels: [String]
  /// Each running kernel's floating-point operations per invocation (2 per multiply-add of the
  /// convolutions, 0 for other operators), in the order of `kernelLabels`.
  public let kernelFlops: [Int]
  private let table: TensorTable
  private let inputIndices: [Int], outputIndices: [Int]
  private let arena: UnsafeMutablePointer<Float>
  private let scratch: UnsafeMutablePointer<Float>
  private let constantStorage: [UnsafeMutablePointer<Float>]
  private let threads: Int
  /// How many threads the kernels split their work between.
  public var threadCount: Int { threads }

  /// The most floats the activation arena, the largest kernel scratch buffer, and all DENSIFY outputs
  /// together may each take (2^24 floats = 64 MiB; the BlazePose models' arenas hold 1.2 and 2.2 million
  /// floats). Larger models are rejected as `invalidModel` before that memory is allocated.
  public static let maxArenaFloats = 1 << 24

  /// The most elements one tensor may have (2^28); larger or overflowing shapes are `invalidModel`.
  public static let maxTensorElements = 1 << 28

  /// Loads the model at `path` and prepares it.
  public convenience init(path: String, threads: Int = 1, outputs: [String]? = nil) throws {
    try self.init(model: TFLiteModel.read(path: path), threads: threads, outputs: outputs)
  }

  /// Prepares `model`'s first subgraph. `threads` is how many threads its kernels split their work
  /// between (OpenBLAS itself is kept single-threaded, so results do not depend on `threads`, and
  /// interpreters with different thread counts can share a process).
  /// `preserveAllTensors` gives every tensor its own memory (for inspecting intermediates).
  /// `outputs`, when given, names the graph outputs wanted: operators that feed only other outputs are
  /// not prepared or run (e.g. BlazePose's segmentation head), and `outputs` lists just those.
  public init(
    model: TFLiteModel, threads: Int = 1, preserveAllTensors: Bool = false, outputs wanted: [String]? = nil
  ) throws {
    var g = model.subgraphs[0]
    var originalIndex = Array(g.operators.indices)  // operator numbers as in the file, for messages
    if let wanted {
      var picked: [Int] = []
      for name in wanted {
        guard let t = g.outputs.first(where: { g.tensors[$0].name == name }) else {
          let names = g.outputs.map { g.tensors[$0].name }.joined(separator: ", ")
          throw NeuralEngineError.invalidModel("the model has no output '\(name)' (it has \(names))")
        }
        picked.append(t)
      }
      // Keep only operators on a path to a wanted output (operators are in execution order).
      var needed = Set(picked)
      var kept: [Bool] = Array(repeating: false, count: g.operators.count)
      for k in stride(from: g.operators.count - 1, through: 0, by: -1) {
        let op = g.operators[k]
        if op.outputs.contains(where: needed.contains) {
          kept[k] = true
          needed.formUnion(op.inputs.filter { $0 >= 0 })
        }
      }
      prunedOperatorCount = kept.filter { !$0 }.count
      originalIndex = kept.indices.filter { kept[$0] }
      g.operators = originalIndex.map { g.operators[$0] }
      g.outputs = picked
    } else {
      prunedOperatorCount = 0
    }
    self.threads = max(1, threads)
    openblas_set_num_threads(1)

    // 1. Constants: dense floats/ints from buffers, then fold DEQUANTIZE and DENSIFY.
    var constants: [Int: [Float]] = [:]
    var ints: [Int: [Int]] = [:]
    for (i, t) in g.tensors.enumerated() {
      guard t.buffer > 0, t.sparsity == nil, let n = t.elementCount else { continue }
      if let f = try Constants.floats(t, model, expected: n) { constants[i] = f }
      if let v = Constants.ints(t, model) { ints[i] = v }
    }
    var runOps: [(Int, TFLiteOperator)] = []
    var densified = 0  // floats made by DENSIFY so far
    for (j, op) in g.operators.enumerated() {
      let k = originalIndex[j]
      switch op.builtin {
      case .densify?:
        guard op.inputs.count == 1, op.outputs.count == 1, op.inputs[0] >= 0 else {
          throw NeuralEngineError.invalidModel("DENSIFY (operator #\(k)) needs one input and one output")
        }
        let t = g.tensors[op.inputs[0]]
        // A few bytes of sparse data can describe a huge dense tensor: cap the total before expanding.
        let (total, overflow) = densified.addingReportingOverflow(t.elementCount ?? Int.max)
        guard !overflow, total <= Interpreter.maxArenaFloats else {
          throw NeuralEngineError.invalidModel(
            "DENSIFY (operator #\(k)): the sparse constants expand to more than \(Interpreter.maxArenaFloats) "
              + "floats ('\(t.name)' has shape \(t.shape))")
        }
        densified = total
        constants[op.outputs[0]] = try Constants.densify(t, model)
      case .dequantize? where op.inputs.count == 1 && op.inputs[0] >= 0 && constants[op.inputs[0]] != nil:
        let src = g.tensors[op.inputs[0]]
        guard src.type == .float16 || src.type == .float32 else {
          throw NeuralEngineError.invalidModel("DEQUANTIZE (operator #\(k)) of \(src.type) is not supported")
        }
        guard op.outputs.count == 1 else {
          throw NeuralEngineError.invalidModel("DEQUANTIZE needs one output")
        }
        constants[op.outputs[0]] = constants[op.inputs[0]]
      default:
        runOps.append((k, op))
      }
    }

    // Kernels multiply dimensions without overflow checks: every tensor a running operator touches must
    // have non-negative dimensions and at most `maxTensorElements` elements.
    for (k, op) in runOps {
      for t in op.inputs + op.outputs where t >= 0 {
        guard let n = g.tensors[t].elementCount, n <= Interpreter.maxTensorElements else {
          throw NeuralEngineError.invalidModel(
            "\(op.name) (operator #\(k)): tensor '\(g.tensors[t].name)' has shape \(g.tensors[t].shape) "
              + "(a negative dimension, or more than \(Interpreter.maxTensorElements) elements)")
        }
      }
    }

    // 2. Kernels (PADs of rows/columns folded into the convolution reading them, unless every tensor
    // is to be kept).
    var fusedPads: [Int: FusedPad] = [:]
    if !preserveAllTensors {
      (runOps, fusedPads) = PadKernel.foldIntoConvolutions(runOps, graph: g, intConstants: ints)
    }
    var kernels: [any Kernel] = []
    for (k, op) in runOps {
      var ctx = PrepareContext(graph: g, opIndex: k, op: op, constants: constants, intConstants: ints)
      ctx.threads = self.threads
      ctx.fusedPad = fusedPads[k]
      guard let b = op.builtin else { throw NeuralEngineError.unsupportedOp(name: op.name, index: k) }
      switch b {
      case .conv2D: kernels.append(try Conv2DKernel(ctx))
      case .depthwiseConv2D: kernels.append(try DepthwiseConv2DKernel(ctx))
      case .add: kernels.append(try AddKernel(ctx))
      case .pad: kernels.append(try PadKernel(ctx))
      case .maxPool2D: kernels.append(try MaxPool2DKernel(ctx))
      case .resizeBilinear: kernels.append(try ResizeBilinearKernel(ctx))
      case .depthToSpace: kernels.append(try DepthToSpaceKernel(ctx))
      case .reshape: kernels.append(try ReshapeKernel(ctx))
      case .concatenation: kernels.append(try ConcatenationKernel(ctx))
      case .logistic: kernels.append(try LogisticKernel(ctx))
      default: throw NeuralEngineError.unsupportedOp(name: op.name, index: k)
      }
    }
    self.kernels = kernels
    kernelLabels = runOps.map { "\($0.1.name)#\($0.0)" + (fusedPads[$0.0] != nil ? "+PAD" : "") }
    kernelFlops = kernels.map(\.flops)

    // 3. Memory plan: activations (non-constant tensors touched by running ops) share one arena.
    func isConstant(_ t: Int) -> Bool { constants[t] != nil || ints[t] != nil }
    var firstDef = [Int: Int](), lastUse = [Int: Int]()
    let end = runOps.count
    for t in g.inputs { firstDef[t] = -1; lastUse[t] = max(lastUse[t] ?? -1, -1) }
    for (step, (k, op)) in runOps.enumerated() {
      for t in op.outputs {
        guard !isConstant(t) else {
          throw NeuralEngineError.invalidModel(
            "\(op.name) (operator #\(k)): output '\(g.tensors[t].name)' holds constant data")
        }
        if firstDef[t] == nil { firstDef[t] = step }
        lastUse[t] = max(lastUse[t] ?? step, step)
      }
      for t in op.inputs where t >= 0 && !isConstant(t) {
        guard firstDef[t] != nil else {
          throw NeuralEngineError.invalidModel(
            "tensor '\(g.tensors[t].name)' is read by operator #\(runOps[step].0) before anything writes it")
        }
        lastUse[t] = step
      }
    }
    // Inputs keep their memory for the whole run, so a second invoke() sees the same input.
    for t in g.inputs { lastUse[t] = end }
    for t in g.outputs {
      guard firstDef[t] != nil || constants[t] != nil else {
        throw NeuralEngineError.invalidModel("output '\(g.tensors[t].name)' is never computed")
      }
      if firstDef[t] == nil, let c = constants[t], g.tensors[t].elementCount != c.count {
        let declared = g.tensors[t].shape
        throw NeuralEngineError.invalidModel(
          "output '\(g.tensors[t].name)' is declared \(declared) but its constant has \(c.count) values")
      }
      lastUse[t] = end
    }
    struct Block { let tensor: Int; let size: Int; let from: Int; let to: Int }
    var blocks: [Block] = []
    for (t, d) in firstDef {
      guard let n = g.tensors[t].elementCount, n > 0, n <= Interpreter.maxTensorElements else {
        throw NeuralEngineError.invalidModel("tensor '\(g.tensors[t].name)' has shape \(g.tensors[t].shape)")
      }
      let aligned = (n + 15) & ~15
      blocks.append(Block(tensor: t, size: aligned, from: d, to: preserveAllTensors ? end : lastUse[t] ?? d))
    }
    // Greedy by size: each block takes the lowest offset that does not overlap a live, placed block.
    blocks.sort { ($0.size, $1.tensor) > ($1.size, $0.tensor) }
    var placed: [(Block, Int)] = []
    var offsets = [Int: Int]()
    var arenaSize = 0
    for b in blocks {
      let conflicts = placed.filter { $0.0.from <= b.to && b.from <= $0.0.to }.sorted { $0.1 < $1.1 }
      var off = 0
      for (pb, po) in conflicts {
        if off + b.size <= po { break }
        off = max(off, po + pb.size)
      }
      placed.append((b, off))
      offsets[b.tensor] = off
      arenaSize = max(arenaSize, off + b.size)
    }
    // Every check that can throw runs before the first allocation below (a throwing init does not run
    // deinit, so later throws would leak).
    let scratchCount = kernels.map(\.scratchCount).max() ?? 0
    guard arenaSize <= Interpreter.maxArenaFloats, scratchCount <= Interpreter.maxArenaFloats else {
      throw NeuralEngineError.invalidModel(
        "the model needs \(arenaSize) floats of activations and \(scratchCount) of scratch memory, over "
          + "the limit of \(Interpreter.maxArenaFloats) each")
    }
    for t in g.inputs {
      guard g.tensors[t].type == .float32 else {
        throw NeuralEngineError.invalidModel(
          "input '\(g.tensors[t].name)' is \(g.tensors[t].type), not float32")
      }
    }
    arenaCount = arenaSize
    // 64-byte aligned (tensor offsets are multiples of 16 floats), so the C kernels' vectors never
    // straddle cache lines.
    arena = UnsafeMutableRawPointer.allocate(byteCount: max(arenaSize, 1) * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: max(arenaSize, 1))
    arena.initialize(repeating: 0, count: max(arenaSize, 1))
    scratch = .allocate(capacity: max(scratchCount, 1))
    scratch.initialize(repeating: 0, count: max(scratchCount, 1))

    var pointers = [UnsafeMutablePointer<Float>?](repeating: nil, count: g.tensors.count)
    var storage: [UnsafeMutablePointer<Float>] = []
    for (t, off) in offsets { pointers[t] = arena + off }
    // Constants read directly by kernels (e.g. an ADD operand, a constant graph output) get storage.
    var needed = Set<Int>(g.outputs)
    for (_, op) in runOps { needed.formUnion(op.inputs.filter { $0 >= 0 }) }
    for t in needed where pointers[t] == nil {
      guard let c = constants[t] else { continue }
      let p = UnsafeMutablePointer<Float>.allocate(capacity: max(c.count, 1))
      p.initialize(from: c, count: c.count)
      storage.append(p)
      pointers[t] = p
    }
    constantStorage = storage
    table = TensorTable(pointers: pointers)
    inputIndices = g.inputs
    outputIndices = g.outputs
    inputs = g.inputs.map { TensorInfo(name: g.tensors[$0].name, shape: g.tensors[$0].shape) }
    outputs = g.outputs.map { TensorInfo(name: g.tensors[$0].name, shape: g.tensors[$0].shape) }
  }

  deinit {
    UnsafeMutableRawPointer(arena).deallocate()
    scratch.deallocate()
    for p in constantStorage { p.deallocate() }
  }

  /// Gives `body` the memory of input `index` to fill in place.
  public func withInput<R>(_ index: Int = 0, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows
    -> R
  {
    try body(UnsafeMutableBufferPointer(start: table[inputIndices[index]], count: inputs[index].count))
  }

  /// Copies `data` into input `index`.
  public func setInput(_ index: Int = 0, _ data: UnsafeBufferPointer<Float>) throws {
    guard index >= 0, index < inputs.count else {
      throw NeuralEngineError.inputMismatch("input \(index) of \(inputs.count)")
    }
    guard data.count == inputs[index].count, let base = data.baseAddress else {
      throw NeuralEngineError.inputMismatch(
        "input '\(inputs[index].name)' takes \(inputs[index].count) floats \(inputs[index].shape), got \(data.count)"
      )
    }
    table[inputIndices[index]].update(from: base, count: data.count)
  }

  /// Runs every kernel once.
  public func invoke() {
    for k in kernels { k.run(table, scratch: scratch) }
  }

  /// Runs every kernel once, returning each kernel's wall time in seconds (same order as `kernelLabels`).
  public func invokeProfiled() -> [Double] {
    var times: [Double] = []
    times.reserveCapacity(kernels.count)
    for k in kernels {
      let t0 = DispatchTime.now().uptimeNanoseconds
      k.run(table, scratch: scratch)
      times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return times
  }

  /// Gives `body` the memory of output `index` (valid until the next `invoke`).
  public func withOutput<R>(_ index: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try body(UnsafeBufferPointer(start: table[outputIndices[index]], count: outputs[index].count))
  }

  /// A copy of output `index`.
  public func output(_ index: Int) -> [Float] { withOutput(index) { Array($0) } }

  /// A copy of the output named `name`, or nil if there is none.
  public func output(named name: String) -> [Float]? {
    outputs.firstIndex { $0.name == name }.map { output($0) }
  }
}
