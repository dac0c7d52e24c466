// PoseTraining: the row-major dense matrix (batch × features) with BLAS-backed products.

/// A dense row-major matrix: `rows` samples × `columns` features, stored contiguously.
///
/// Shape mismatches between matrices are programming errors and stop the program with a message
/// (`precondition`); matrices built from file data go through the throwing `init(rows:columns:checking:)`.
public struct Matrix<Scalar: TrainingScalar>: Equatable, Sendable {
  /// Number of rows (samples).
  public let rows: Int
  /// Number of columns (features).
  public let columns: Int
  /// The elements in row-major order (`values[r * columns + c]`).
  public private(set) var values: [Scalar]

  /// A matrix filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    precondition(!overflow, "Matrix: shape \(rows)×\(columns) overflows")
    self.rows = rows
    self.columns = columns
    self.values = [Scalar](repeating: value, count: count)
  }

  /// A matrix with the given row-major values; `values.count` must equal `rows · columns`.
  public init(rows: Int, columns: Int, values: [Scalar]) {
    precondition(
      rows >= 0 && columns >= 0 && rows.multipliedReportingOverflow(by: columns) == (values.count, false),
      "Matrix: \(values.count) values do not fill \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  /// A matrix from untrusted data.
  ///
  /// - Throws: `TrainingError.shapeMismatch` when `values.count` is not `rows · columns` or a dimension is
  ///   negative.
  public init(rows: Int, columns: Int, checking values: [Scalar], what: String) throws {
    guard rows >= 0, columns >= 0,
      rows.multipliedReportingOverflow(by: columns) == (values.count, false)
    else {
      throw TrainingError.shapeMismatch(
        what: what, expected: "\(rows)×\(columns)", actual: "\(values.count) values")
    }
    self.init(rows: rows, columns: columns, values: values)
  }

  /// A matrix whose rows are `rows` (all of equal length).
  public init(stacking rows: [[Scalar]]) {
    let columns = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == columns }, "Matrix: rows of different lengths")
    self.init(rows: rows.count, columns: columns, values: rows.flatMap { $0 })
  }

  /// `old` when it has this shape (its storage is reused; the caller overwrites every element), else a
  /// new zero matrix.
  static func reusing(_ old: Matrix?, rows: Int, columns: Int) -> Matrix {
    if let old, old.rows == rows, old.columns == columns { return old }
    return Matrix(rows: rows, columns: columns)
  }

  /// Number of elements.
  @inlinable public var count: Int { values.count }

  /// Shape as `[rows, columns]` (the safetensors shape).
  public var shape: [Int] { [rows, columns] }

  /// Element at `row`, `column`.
  public subscript(row: Int, column: Int) -> Scalar {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
      return values[row * columns + column]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
      values[row * columns + column] = newValue
    }
  }

  /// Element at flat row-major index `index`.
  public subscript(index: Int) -> Scalar {
    get { values[index] }
    set { values[index] = newValue }
  }

  /// Row `r` as an array.
  public func row(_ r: Int) -> [Scalar] {
    precondition(r >= 0 && r < rows, "Matrix row \(r) out of range 0..<\(rows)")
    return Array(values[(r * columns)..<((r + 1) * columns)])
  }

  /// The rows at `indices`, in that order (a mini-batch).
  @_specialize(where Scalar == Float)
  public func gatherRows(_ indices: [Int]) -> Matrix {
    var out = [Scalar]()
    out.reserveCapacity(indices.count * columns)
    for r in indices {
      precondition(r >= 0 && r < rows, "Matrix row \(r) out of range 0..<\(rows)")
      out.append(contentsOf: values[(r * columns)..<((r + 1) * columns)])
    }
    return Matrix(rows: indices.count, columns: columns, values: out)
  }

  /// Calls `body` with the elements' storage for fast loops.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
    try values.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with mutable access to the elements' storage (the count cannot change).
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try values.withUnsafeMutableBufferPointer { try body($0) }
  }

  /// The matrix converted element-wise to another scalar type.
  public func converted<Other: TrainingScalar>(to: Other.Type = Other.self) -> Matrix<Other> {
    Matrix<Other>(rows: rows, columns: columns, values: values.map { Other($0) })
  }

  /// The elements as Double.
  public var doubles: [Double] { values.map { Double($0) } }

  /// Sum of each column (a 1 × columns matrix), each summed from row 0 down.
  @_specialize(where Scalar == Float)
  public func columnSums() -> Matrix {
    var sums = Matrix(rows: 1, columns: columns)
    guard rows > 0, columns > 0 else { return sums }
    let (n, f) = (rows, columns)
    values.withUnsafeBufferPointer { v in
      sums.values.withUnsafeMutableBufferPointer { s in
        guard let vp = v.baseAddress, let sp = s.baseAddress else { return }
        ParallelLoops.forEachRange(f, grain: ParallelLoops.columnGrain(rows: n), alignment: 16) { cols in
          for r in 0..<n {
            let row = vp + r * f
            for c in cols { sp[c] += row[c] }
          }
        }
      }
    }
    return sums
  }

  /// Sum of squares of all elements, accumulated in Double.
  public var squaredSum: Double { sumOfSquares() }

  @_specialize(where Scalar == Float)
  func sumOfSquares() -> Double {
    values.withUnsafeBufferPointer { v in
      var s = 0.0
      for x in v { s += Double(x) * Double(x) }
      return s
    }
  }

  /// True when every element is finite.
  public var isFinite: Bool { values.allSatisfy(\.isFinite) }

  /// `op(a) · op(b)` where `op` transposes when asked, computed by BLAS gemm.
  public static func product(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false
  ) -> Matrix {
    let m = transposeA ? a.columns : a.rows
    let n = transposeB ? b.rows : b.columns
    var c = Matrix(rows: m, columns: n)
    c.addProduct(a, b, transposeA: transposeA, transposeB: transposeB, beta: 0)
    return c
  }

  /// `self ← alpha · op(a) · op(b) + beta · self` (BLAS gemm); `beta = 1` accumulates, as gradients do.
  @_specialize(where Scalar == Float)
  public mutating func addProduct(
    _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false, alpha: Scalar = 1,
    beta: Scalar = 1
  ) {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kb = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    precondition(k == kb, "Matrix product: inner dimensions \(k) and \(kb) differ")
    precondition(rows == m && columns == n, "Matrix product: result \(rows)×\(columns), need \(m)×\(n)")
    if m == 0 || n == 0 { return }
    if k == 0 {
      if beta != 1 { for i in values.indices { values[i] *= beta } }
      return
    }
    a.values.withUnsafeBufferPointer { pa in
      b.values.withUnsafeBufferPointer { pb in
        values.withUnsafeMutableBufferPointer { pc in
          guard let ap = pa.baseAddress, let bp = pb.baseAddress, let cp = pc.baseAddress else { return }
          Scalar.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: ap, lda: max(1, a.columns), b: bp, ldb: max(1, b.columns), beta: beta, c: cp,
            ldc: max(1, columns))
        }
      }
    }
  }

  /// Adds `row` (a 1 × columns matrix) to every row.
  @_specialize(where Scalar == Float)
  public mutating func addRowVector(_ row: Matrix) {
    precondition(row.rows == 1 && row.columns == columns, "Matrix: row vector must be 1×\(columns)")
    let cols = columns
    guard rows > 0, cols > 0 else { return }
    row.values.withUnsafeBufferPointer { r in
      values.withUnsafeMutableBufferPointer { v in
        guard let rp = r.baseAddress, let vp = v.baseAddress else { return }
        ParallelLoops.forEachRange(rows, grain: ParallelLoops.rowGrain(columns: cols)) { range in
          for i in range {
            let row = vp + i * cols
            for c in 0..<cols { row[c] += rp[c] }
          }
        }
      }
    }
  }

  /// `self += scale · other` element-wise.
  @_specialize(where Scalar == Float)
  public mutating func add(_ other: Matrix, scale: Scalar = 1) {
    precondition(other.rows == rows && other.columns == columns, "Matrix add: shapes differ")
    other.values.withUnsafeBufferPointer { o in
      values.withUnsafeMutableBufferPointer { v in
        guard let op = o.baseAddress, let vp = v.baseAddress else { return }
        ParallelLoops.forEachRange(v.count, grain: ParallelLoops.elementGrain, alignment: 16) { range in
          if scale == 1 {
            // 1·o is o exactly: the same sums as the general loop, without the multiply.
            for i in range { vp[i] += op[i] }
          } else {
            for i in range { vp[i] += scale * op[i] }
          }
        }
      }
    }
  }

  /// Multiplies every element by `scale`.
  @_specialize(where Scalar == Float)
  public mutating func scale(by scale: Scalar) {
    values.withUnsafeMutableBufferPointer { v in
      guard let vp = v.baseAddress else { return }
      ParallelLoops.forEachRange(v.count, grain: ParallelLoops.elementGrain, alignment: 16) { range in
        for i in range { vp[i] *= scale }
      }
    }
  }

  /// Sets every element to zero.
  @_specialize(where Scalar == Float)
  public mutating func setZero() {
    values.withUnsafeMutableBufferPointer { v in
      guard let vp = v.baseAddress else { return }
      ParallelLoops.forEachRange(v.count, grain: 4 * ParallelLoops.elementGrain, alignment: 16) { range in
        (vp + range.lowerBound).update(repeating: 0, count: range.count)
      }
    }
  }

  /// Element-wise sum.
  public static func + (a: Matrix, b: Matrix) -> Matrix {
    var c = a
    c.add(b)
    return c
  }

  /// Element-wise difference.
  public static func - (a: Matrix, b: Matrix) -> Matrix {
    var c = a
    c.add(b, scale: -1)
    return c
  }

  /// Scalar multiple.
  public static func * (s: Scalar, a: Matrix) -> Matrix {
    var c = a
    c.scale(by: s)
    return c
  }
}
