// NeuralEngine: decoding constant tensors at load time: float16/float32 data, DENSIFY and DEQUANTIZE.
import ModelFiles

enum Constants {
  /// Decodes IEEE half-precision bits to Float (exact).
  @inline(__always)
  static func halfToFloat(_ h: UInt16) -> Float {
    #if arch(arm64)
      return Float(Float16(bitPattern: h))
    #else
      let sign = UInt32(h >> 15) << 31
      let exp = Int((h >> 10) & 0x1F)
      let man = UInt32(h & 0x3FF)
      if exp == 0 {
        // zero or subnormal: man · 2^-24
        let v = Float(man) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -v : v
      }
      if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (man << 13)) }
      return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (man << 13))
    #endif
  }

  /// The elements of a dense float32/float16 constant, or nil when `t` is not one.
  static func floats(_ t: TFLiteTensor, _ model: TFLiteModel, expected: Int) throws -> [Float]? {
    guard let data = model.constantData(of: t) else { return nil }
    guard expected <= 1 << 28 else {
      throw NeuralEngineError.invalidModel("constant '\(t.name)' of shape \(t.shape) is too large")
    }
    switch t.type {
    case .float32:
      guard data.count == expected * 4 else {
        throw NeuralEngineError.invalidModel(
          "constant '\(t.name)' has \(data.count) bytes, expected \(expected * 4) for shape \(t.shape)")
      }
      return data.withUnsafeBytes { raw in
        (0..<expected).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
      }
    case .float16:
      guard data.count == expected * 2 else {
        throw NeuralEngineError.invalidModel(
          "constant '\(t.name)' has \(data.count) bytes, expected \(expected * 2) for shape \(t.shape)")
      }
      return data.withUnsafeBytes { raw in
        (0..<expected).map { halfToFloat(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
      }
    default:
      return nil
    }
  }

  /// The values of an int32/int64 constant, or nil when `t` is not one.
  static func ints(_ t: TFLiteTensor, _ model: TFLiteModel) -> [Int]? {
    guard let data = model.constantData(of: t) else { return nil }
    switch t.type {
    case .int32 where data.count % 4 == 0:
      return data.withUnsafeBytes { raw in
        (0..<data.count / 4).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
      }
    case .int64 where data.count % 8 == 0:
      return data.withUnsafeBytes { raw in
        (0..<data.count / 8).map {
          Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))
        }
      }
    default:
      return nil
    }
  }

  /// Expands a sparse constant (TACO format: dense and CSR dimensions) to a dense float array.
  static func densify(_ t: TFLiteTensor, _ model: TFLiteModel) throws -> [Float] {
    func bad(_ why: String) -> NeuralEngineError { .invalidModel("DENSIFY of '\(t.name)': \(why)") }
    guard let sp = t.sparsity else { throw bad("tensor has no sparsity parameters") }
    guard let total = t.elementCount, total <= 1 << 28 else { throw bad("shape \(t.shape) is too large") }
    let rank = t.shape.count
    guard sp.blockMap.isEmpty else { throw bad("block-sparse tensors are not supported") }
    guard sp.dimensions.count == rank, sp.traversalOrder.count == rank,
      Set(sp.traversalOrder) == Set(0..<rank)
    else { throw bad("sparsity metadata does not match rank \(rank)") }
    guard let data = model.constantData(of: t), let esize = t.type.byteSize, esize == 4 || esize == 2,
      t.type == .float32 || t.type == .float16
    else { throw bad("values must be float32 or float16 data") }
    let nvalues = data.count / esize
    let values: [Float] = data.withUnsafeBytes { raw in
      (0..<nvalues).map {
        esize == 4
          ? raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self)
          : halfToFloat(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))
      }
    }
    var dense = [Float](repeating: 0, count: total)
    var strides = [Int](repeating: 1, count: rank)
    for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * t.shape[d + 1] }
    var coords = [Int](repeating: 0, count: rank)
    var failure: NeuralEngineError?
    func expand(_ level: Int, _ pos: Int) {
      if failure != nil { return }
      if level == rank {
        guard pos < values.count else {
          failure = bad("value index \(pos) past \(values.count) values"); return
        }
        var flat = 0
        for d in 0..<rank { flat += coords[d] * strides[d] }
        dense[flat] = values[pos]
        return
      }
      let dim = sp.dimensions[level]
      let axis = sp.traversalOrder[level]
      if !dim.isSparse {
        guard dim.denseSize == t.shape[axis] else {
          failure = bad("dense size \(dim.denseSize) ≠ \(t.shape[axis])"); return
        }
        for i in 0..<dim.denseSize {
          coords[axis] = i
          expand(level + 1, pos * dim.denseSize + i)
        }
      } else {
        guard pos + 1 < dim.segments.count else { failure = bad("segment \(pos) out of range"); return }
        let lo = dim.segments[pos], hi = dim.segments[pos + 1]
        guard lo >= 0, lo <= hi, hi <= dim.indices.count else {
          failure = bad("segments are inconsistent"); return
        }
        for k in lo..<hi {
          let c = dim.indices[k]
          guard c >= 0, c < t.shape[axis] else { failure = bad("index \(c) out of range"); return }
          coords[axis] = c
          expand(level + 1, k)
        }
      }
    }
    expand(0, 0)
    if let failure { throw failure }
    return dense
  }
}
