// PoseTraining: loss functions on batches of poses (mean joint distance, MSE) with their gradients.

/// A loss value and its gradient with respect to the prediction.
public struct LossResult<Scalar: TrainingScalar> {
  /// The loss (accumulated in Double).
  public var value: Double
  /// ∂loss/∂prediction, same shape as the prediction.
  public var gradient: Matrix<Scalar>
}

/// Losses on pose batches: each row is one pose, `3 · joints` columns laid out x, y, z per joint.
public enum Loss {
  /// Mean per-joint position error: `L = 1/(B·J) · Σ_b Σ_j ‖p_bj − y_bj‖`.
  ///
  /// Gradient `(p − y) / (‖p − y‖ · B · J)`; a joint with zero error contributes 0 (the subgradient), and
  /// distances are computed as `√(‖p − y‖² + ε²)` with ε = `smoothing` (default 0, the exact distance) when a
  /// smooth loss is wanted.
  @_specialize(where Scalar == Float)
  public static func meanJointDistance<Scalar: TrainingScalar>(
    _ prediction: Matrix<Scalar>, _ target: Matrix<Scalar>, dimensions: Int = 3, smoothing: Double = 0
  ) -> LossResult<Scalar> {
    precondition(
      prediction.rows == target.rows && prediction.columns == target.columns, "loss: shapes differ")
    precondition(
      dimensions > 0 && prediction.columns % dimensions == 0, "loss: columns not a multiple of dims")
    let joints = prediction.columns / dimensions
    let count = prediction.rows * joints
    var gradient = Matrix<Scalar>(rows: prediction.rows, columns: prediction.columns)
    guard count > 0 else { return LossResult(value: 0, gradient: gradient) }
    var total = 0.0
    let eps2 = Scalar(smoothing * smoothing)
    let norm = Scalar(count)
    prediction.withUnsafeBufferPointer { p in
      target.withUnsafeBufferPointer { y in
        gradient.withUnsafeMutableBufferPointer { g in
          for k in 0..<count {
            let base = k * dimensions
            var s: Scalar = 0
            for d in 0..<dimensions {
              let e = p[base + d] - y[base + d]
              s += e * e
            }
            let dist = (s + eps2).squareRoot()
            total += Double(dist)
            guard dist > 0 else { continue }
            for d in 0..<dimensions { g[base + d] = (p[base + d] - y[base + d]) / (dist * norm) }
          }
        }
      }
    }
    return LossResult(value: total / Double(count), gradient: gradient)
  }

  /// Mean squared error over all elements: `L = 1/N · Σ (p − y)²`, gradient `2(p − y)/N`.
  @_specialize(where Scalar == Float)
  public static func meanSquaredError<Scalar: TrainingScalar>(
    _ prediction: Matrix<Scalar>, _ target: Matrix<Scalar>
  ) -> LossResult<Scalar> {
    precondition(
      prediction.rows == target.rows && prediction.columns == target.columns, "loss: shapes differ")
    var gradient = Matrix<Scalar>(rows: prediction.rows, columns: prediction.columns)
    let n = prediction.count
    guard n > 0 else { return LossResult(value: 0, gradient: gradient) }
    var total = 0.0
    let k = Scalar(2) / Scalar(n)
    prediction.withUnsafeBufferPointer { p in
      target.withUnsafeBufferPointer { y in
        gradient.withUnsafeMutableBufferPointer { g in
          for i in 0..<n {
            let e = p[i] - y[i]
            total += Double(e) * Double(e)
            g[i] = k * e
          }
        }
      }
    }
    return LossResult(value: total / Double(n), gradient: gradient)
  }

  /// Which loss compares poses.
  public enum Kind: String, Codable, Sendable {
    /// `meanJointDistance` (MPJPE).
    case meanJointDistance
    /// `meanSquaredError`.
    case meanSquaredError
  }

  /// The loss of `kind`.
  public static func compute<Scalar: TrainingScalar>(
    _ kind: Kind, _ prediction: Matrix<Scalar>, _ target: Matrix<Scalar>
  ) -> LossResult<Scalar> {
    switch kind {
    case .meanJointDistance: return meanJointDistance(prediction, target)
    case .meanSquaredError: return meanSquaredError(prediction, target)
    }
  }
}
