// PoseTraining: the scalar types training code is generic over (Float to train, Double for gradient checks).

import COpenBLAS
import Foundation

/// A floating-point type the layers, losses and optimisers can run in.
///
/// Training runs in `Float` (OpenBLAS `sgemm`); the same code instantiated with `Double` (`dgemm`) is what
/// the finite-difference gradient checks use, so they test the real implementation without Float's
/// rounding noise.
public protocol TrainingScalar: BinaryFloatingPoint, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
  /// Row-major `C ← alpha · op(A) · op(B) + beta · C` with `op(A)` m×k, `op(B)` k×n and C m×n.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int)
  /// e^x.
  static func exponential(_ x: Self) -> Self
}

extension TrainingScalar {
  /// The logistic function 1 / (1 + e^−x), computed without overflow for large |x|.
  @inlinable public static func sigmoid(_ x: Self) -> Self {
    if x >= 0 { return 1 / (1 + exponential(-x)) }
    let e = exponential(x)
    return e / (1 + e)
  }
}

@inline(__always)
private func cblasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: TrainingScalar {
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB), blasint(m), blasint(n),
      blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }
  public static func exponential(_ x: Float) -> Float { Foundation.exp(x) }
}

extension Double: TrainingScalar {
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB), blasint(m), blasint(n),
      blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }
  public static func exponential(_ x: Double) -> Double { Foundation.exp(x) }
}

/// OpenBLAS thread control for training.
public enum BLASThreads {
  /// Sets the number of threads OpenBLAS uses for matrix products (at least 1), and the number the
  /// layers' element-wise passes are split over (`ParallelLoops`).
  public static func set(_ count: Int) {
    openblas_set_num_threads(Int32(clamping: max(1, count)))
    ParallelLoops.threads = count
  }
}

/// Splits the element-wise passes of layers, losses and optimisers over threads.
///
/// Work is split into disjoint index ranges (rows, features or elements) and every output element or
/// per-feature sum is computed by one thread in the same order as a serial loop, so results are
/// bit-identical for every thread count.
enum ParallelLoops {
  /// Upper bound on the thread count.
  static let maximumThreads = 16
  private static let lock = NSLock()
  nonisolated(unsafe) private static var storedThreads = 1

  /// A thread count that replaces the stored one within a task (tests compare thread counts with it).
  @TaskLocal static var override: Int?

  /// Threads used by `forEachRange`, 1…`maximumThreads` (set by `BLASThreads.set`; 1 until then).
  static var threads: Int {
    get { override.map { max(1, min($0, maximumThreads)) } ?? lock.withLock { storedThreads } }
    set { lock.withLock { storedThreads = max(1, min(newValue, maximumThreads)) } }
  }

  /// Calls `body` on `parts(count:grain:)` disjoint ranges covering `0..<count`, in parallel when there
  /// is more than one; ranges are rounded to multiples of `alignment` (except the last).
  static func forEachRange(
    _ count: Int, grain: Int, alignment: Int = 1, _ body: (Range<Int>) -> Void
  ) {
    let parts = self.parts(count: count, grain: grain)
    if parts <= 1 {
      if count > 0 { body(0..<count) }
      return
    }
    let a = max(1, alignment)
    let chunk = ((count + parts - 1) / parts + a - 1) / a * a
    withoutActuallyEscaping(body) { body in
      let work = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: parts) { i in
        let start = min(count, i * chunk)
        let end = min(count, start + chunk)
        if start < end { work.value(start..<end) }
      }
    }
  }

  /// Fewest elements per range for element-wise passes (smaller arrays stay on one thread).
  static let elementGrain = 32_768

  /// Fewest columns per range for a column-split pass over `rows` rows.
  static func columnGrain(rows: Int) -> Int { max(16, elementGrain / max(1, rows)) }

  /// Fewest rows per range for a row-split pass over `columns` columns.
  static func rowGrain(columns: Int) -> Int { max(1, elementGrain / max(1, columns)) }

  /// Calls `body` for every index in `0..<count`, spread over the threads (each index exactly once).
  static func forEach(_ count: Int, _ body: (Int) -> Void) {
    if threads <= 1 || count <= 1 {
      for i in 0..<count { body(i) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let work = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: count) { i in work.value(i) }
    }
  }

  /// How many ranges `forEachRange` uses for `count` items with at least `grain` items each.
  static func parts(count: Int, grain: Int) -> Int {
    let t = threads
    guard t > 1, count >= 2 * max(1, grain) else { return 1 }
    return min(t, count / max(1, grain))
  }
}

/// Wraps a value that is only shared under the caller's guarantee of disjoint access.
struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
