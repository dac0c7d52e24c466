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
  /// Sets the number of threads OpenBLAS uses for matrix products (at least 1).
  public static func set(_ count: Int) {
    openblas_set_num_threads(Int32(clamping: max(1, count)))
  }
}
