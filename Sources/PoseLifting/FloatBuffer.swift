// PoseLifting: 64-byte-aligned float storage for packed weights and scratch rows.

/// A zeroed, 64-byte-aligned float buffer that its owner keeps for its lifetime.
final class FloatBuffer {
  /// The first float.
  let pointer: UnsafeMutablePointer<Float>
  /// Number of floats (at least 1).
  let count: Int

  /// Allocates `count` floats (at least 1), zeroed.
  init(count: Int) {
    self.count = max(count, 1)
    pointer = UnsafeMutableRawPointer.allocate(byteCount: self.count * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: self.count)
    pointer.initialize(repeating: 0, count: self.count)
  }

  deinit { pointer.deallocate() }
}
