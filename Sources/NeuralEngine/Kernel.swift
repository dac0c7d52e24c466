// NeuralEngine: the contract between the interpreter and one operator's kernel.
import CKernels
import ModelFiles

/// Where each tensor of the graph lives while the interpreter runs: `pointers[i]` is tensor i's data.
public struct TensorTable {
  /// One pointer per tensor index (activations point into the arena, constants into constant storage).
  var pointers: [UnsafeMutablePointer<Float>?]

  @inline(__always)
  subscript(_ i: Int) -> UnsafeMutablePointer<Float> { pointers[i]! }
}

/// One prepared operator: shapes checked and parameters resolved at load time, run many times.
protocol Kernel: AnyObject {
  /// Floats of scratch memory the kernel needs while running (shared between kernels).
  var scratchCount: Int { get }
  /// Runs the operator; `scratch` has at least `scratchCount` floats.
  func run(_ t: TensorTable, scratch: UnsafeMutablePointer<Float>)
  /// Floating-point operations per run (2 per multiply-add; 0 for operators that only move data).
  var flops: Int { get }
}

extension Kernel {
  var flops: Int { 0 }
}

/// What a kernel can ask about the graph while it is being prepared.
struct PrepareContext {
  let graph: TFLiteSubgraph
  let opIndex: Int
  let op: TFLiteOperator
  /// Dense float values of constant tensors (dequantized, densified), by tensor index.
  let constants: [Int: [Float]]
  /// Integer values of constant int32/int64 tensors, by tensor index.
  let intConstants: [Int: [Int]]
  /// Threads a kernel may use for its own loops (besides OpenBLAS's).
  var threads = 1
  /// The instruction set the kernel's C code runs with.
  var isa = KernelInstructionSet.default
  /// Zero padding of a PAD operator folded into this convolution: the op's input 0 is then the PAD's
  /// input, and the convolution reads positions in the padding as zeros.
  var fusedPad: FusedPad?

  func fail(_ why: String) -> NeuralEngineError {
    .invalidModel("\(op.name) (operator #\(opIndex)): \(why)")
  }

  func shape(_ t: Int) -> [Int] { graph.tensors[t].shape }

  /// The op's input `i`, which must exist.
  func input(_ i: Int) throws -> Int {
    guard i < op.inputs.count, op.inputs[i] >= 0 else { throw fail("missing input \(i)") }
    return op.inputs[i]
  }

  /// The op's optional input `i` (nil when omitted).
  func optionalInput(_ i: Int) -> Int? {
    i < op.inputs.count && op.inputs[i] >= 0 ? op.inputs[i] : nil
  }

  /// The op's single output.
  func output() throws -> Int {
    guard op.outputs.count == 1 else { throw fail("expected 1 output, found \(op.outputs.count)") }
    return op.outputs[0]
  }

  /// Checks that `t` has rank `rank`, returning its shape.
  func shape(_ t: Int, rank: Int, _ what: String) throws -> [Int] {
    let s = graph.tensors[t].shape
    guard s.count == rank, checkedCount(s) != nil else {
      throw fail("\(what) has shape \(s), expected rank \(rank), positive dimensions, at most 2^28 elements")
    }
    return s
  }

  /// The op's input `i`, which the kernel reads as float32 data at run time.
  func dataInput(_ i: Int) throws -> Int {
    let t = try input(i)
    guard graph.tensors[t].type == .float32 || constants[t] != nil else {
      throw fail("input \(i) '\(graph.tensors[t].name)' is \(graph.tensors[t].type), expected float32")
    }
    return t
  }

  /// Checks that the declared shape of the output equals the shape the op computes.
  func expectOutput(_ t: Int, _ computed: [Int]) throws {
    let declared = graph.tensors[t].shape
    guard declared == computed else {
      throw fail("output '\(graph.tensors[t].name)' is declared \(declared) but the op computes \(computed)")
    }
  }

  /// The float constant of tensor `t`, checked to have `count` elements.
  func constant(_ t: Int, count: Int, _ what: String) throws -> [Float] {
    guard let c = constants[t] else { throw fail("\(what) is not a constant") }
    guard c.count == count else { throw fail("\(what) has \(c.count) values, expected \(count)") }
    return c
  }

  /// The integer constant of tensor `t`.
  func intConstant(_ t: Int, _ what: String) throws -> [Int] {
    guard let c = intConstants[t] else { throw fail("\(what) must be a constant int32 tensor") }
    return c
  }
}

/// Spatial zero padding (rows above/below, columns left/right) that a convolution applies to its input.
struct FusedPad: Equatable {
  var top = 0, bottom = 0, left = 0, right = 0
}

/// Applies a fused activation to `n` floats in place.
@inline(__always)
func applyActivation(_ act: FusedActivation, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
  switch act {
  case .none: return
  case .relu: for i in 0..<n { p[i] = max(p[i], 0) }
  case .relu6: for i in 0..<n { p[i] = min(max(p[i], 0), 6) }
  case .reluN1To1: for i in 0..<n { p[i] = min(max(p[i], -1), 1) }
  }
}

/// The fused activations the engine implements.
enum FusedActivation {
  case none, relu, relu6, reluN1To1

  init(_ a: TFLiteActivation, _ ctx: PrepareContext) throws {
    switch a {
    case .none: self = .none
    case .relu: self = .relu
    case .relu6: self = .relu6
    case .reluN1To1: self = .reluN1To1
    default: throw ctx.fail("fused activation \(a) is not supported")
    }
  }
}

/// The element count of `s`, or nil when a dimension is not positive or the count exceeds 2^28.
func checkedCount(_ s: [Int]) -> Int? {
  var n = 1
  for d in s {
    guard d > 0 else { return nil }
    let (p, o) = n.multipliedReportingOverflow(by: d)
    guard !o, p <= 1 << 28 else { return nil }
    n = p
  }
  return n
}

/// The element count of a shape whose dimensions were checked positive.
@inline(__always)
func product(_ s: [Int]) -> Int { s.reduce(1, *) }

/// TFLite's output size and leading padding for one spatial dimension.
func convGeometry(
  input: Int, filter: Int, stride: Int, dilation: Int, padding: TFLitePadding
) -> (out: Int, padBefore: Int)? {
  guard input > 0, filter > 0, stride > 0, dilation > 0 else { return nil }
  let eff = (filter - 1) * dilation + 1
  let out: Int
  switch padding {
  case .same: out = (input + stride - 1) / stride
  case .valid: out = (input + stride - eff) / stride
  }
  guard out > 0 else { return nil }
  let total = max((out - 1) * stride + eff - input, 0)
  return (out, padding == .same ? total / 2 : 0)
}

/// The threads worth using for a convolution of `flops` operations: handing work to another thread
/// costs a few microseconds, about 2 MFLOP of GEMM on one core, so smaller operators run on one.
func splitThreads(_ threads: Int, flops: Int) -> Int {
  flops >= 2_000_000 ? threads : 1
}

/// The mean round trip of one cache line between two threads, in nanoseconds (nil if no thread could be
/// made): how far apart the OS placed them. Benchmarks print it beside 2-thread times — on a shared VM it
/// changes from tens to hundreds of nanoseconds as the host moves the vCPUs, and so do the times.
public func coreRoundTripNanoseconds(rounds: Int = 50_000) -> Double? {
  let ns = ck_core_round_trip_ns(Int32(clamping: rounds))
  return ns >= 0 ? ns : nil
}

/// The threads worth using for a loop that only moves or adds `count` floats (memory-bound, a few
/// microseconds below 32 K floats, less than a hand-off is worth).
func elementwiseThreads(_ threads: Int, count: Int) -> Int {
  count >= 1 << 15 ? threads : 1
}

/// Runs `body` over `0..<count` rows split into contiguous chunks of at least `minimum` rows, on up to
/// `threads` threads in parallel (on
/// CKernels' pool of spinning workers: a GCD hand-off costs more than a small operator's work).
/// Chunks write disjoint output rows, which is what makes sharing `body` across threads safe.
public func parallelRows(_ count: Int, threads: Int, minimum: Int = 4, _ body: (Range<Int>) -> Void) {
  // Up to four chunks per thread: each thread runs its own contiguous share first (the rows it wrote in
  // the operator before), and when a thread is descheduled (the CPU is shared) the others take over the
  // chunks it has not claimed instead of waiting for it.
  var n = threads <= 1 ? 1 : min(4 * threads, count / max(minimum, 1))
  // A multiple of the thread count, so that every thread's share is the same size (3 chunks on 2 threads
  // would give one thread twice the other's work).
  if n > threads { n -= n % threads }
  if n <= 1 {
    body(0..<count)
    return
  }
  withoutActuallyEscaping(body) { escaping in
    var job = RowJob(count: count, parts: n, body: escaping)
    withUnsafeMutablePointer(to: &job) { p in
      ck_parallel(
        Int32(n), Int32(threads),
        { ctx, i in
          guard let job = ctx?.assumingMemoryBound(to: RowJob.self).pointee else { return }
          let i = Int(i)
          job.body((job.count * i / job.parts)..<(job.count * (i + 1) / job.parts))
        }, p)
    }
  }
}

/// What `parallelRows` hands to its tasks.
private struct RowJob {
  let count: Int, parts: Int
  let body: (Range<Int>) -> Void
}

/// The vector instruction sets the engine's C kernels (convolutions) can run with.
public enum KernelInstructionSet: Int, Sendable, CaseIterable, CustomStringConvertible {
  /// Plain C vectors compiled for the architecture's baseline (SSE2 on x86-64, NEON on arm64).
  case portable = 0
  /// AVX2 with FMA (x86-64).
  case avx2 = 1
  /// AVX-512F (x86-64).
  case avx512 = 2

  /// The best set this CPU and OS support.
  public static var supported: KernelInstructionSet { KernelInstructionSet(level: ck_isa_supported()) }

  /// The set new interpreters use: `supported`, lowered by the environment variable
  /// `POSESCOPE_KERNELS=portable|avx2|avx512` when it is set.
  public static var `default`: KernelInstructionSet { KernelInstructionSet(level: ck_isa_default()) }

  /// What a request for this set runs on this machine (never more than `supported`).
  public var effective: KernelInstructionSet {
    KernelInstructionSet(level: ck_isa_effective(Int32(rawValue)))
  }

  init(level: Int32) { self = KernelInstructionSet(rawValue: Int(level)) ?? .portable }

  public var description: String {
    switch self {
    case .portable: "portable"
    case .avx2: "avx2"
    case .avx512: "avx512"
    }
  }
}

extension FusedActivation {
  /// The activation as the C kernels' clamp: (clamp or not, lower bound, upper bound).
  var clamp: (on: Int32, lo: Float, hi: Float) {
    switch self {
    case .none: (0, 0, 0)
    case .relu: (1, 0, .infinity)
    case .relu6: (1, 0, 6)
    case .reluN1To1: (1, -1, 1)
    }
  }
}

/// A zeroed, 64-byte-aligned float buffer that its owner keeps for its lifetime: a kernel's packed
/// weights, the lifter's packed weights and scratch rows (PoseLifting).
public final class AlignedFloats {
  /// The first float.
  public let pointer: UnsafeMutablePointer<Float>
  /// Number of floats (at least 1).
  public let count: Int

  /// Allocates `count` floats (at least 1), zeroed.
  public init(count: Int) {
    self.count = max(count, 1)
    pointer = UnsafeMutableRawPointer.allocate(byteCount: self.count * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: self.count)
    pointer.initialize(repeating: 0, count: self.count)
  }

  deinit { pointer.deallocate() }
}
