// PoseTraining: the seeded, splittable random generator (xoshiro256** seeded by SplitMix64).

import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): used to expand a 64-bit seed into generator state.
public struct SplitMix64: Sendable, Equatable {
  /// The current state.
  public var state: UInt64

  /// A generator starting at `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64-bit output.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018): the one random generator of training, so a run is
/// reproducible from its seed and resumable from its saved `state`.
///
/// Streams: `split()` returns a new generator seeded from this one's next output (through SplitMix64), so
/// weight initialisation, data order, augmentation and dropout can each own a stream and a change in how
/// many numbers one part draws does not shift the others.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable {
  private var s: (UInt64, UInt64, UInt64, UInt64)

  /// A generator whose state is expanded from `seed` by SplitMix64 (every seed, including 0, is valid).
  public init(seed: UInt64) {
    var sm = SplitMix64(seed: seed)
    s = (sm.next(), sm.next(), sm.next(), sm.next())
  }

  /// A generator restored from `state` (four words, as returned by `state`).
  ///
  /// - Throws: `TrainingError.invalidConfiguration` unless there are exactly four words, not all zero.
  public init(state: [UInt64]) throws {
    guard state.count == 4, state.contains(where: { $0 != 0 }) else {
      throw TrainingError.invalidConfiguration(
        "random generator state must be 4 words, not all zero (got \(state.count) words)")
    }
    s = (state[0], state[1], state[2], state[3])
  }

  /// The four state words (to save in a checkpoint).
  public var state: [UInt64] { [s.0, s.1, s.2, s.3] }

  public static func == (a: Xoshiro256, b: Xoshiro256) -> Bool { a.state == b.state }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// The next 64-bit output.
  public mutating func next() -> UInt64 {
    let result = Self.rotl(s.1 &* 5, 7) &* 9
    let t = s.1 << 17
    s.2 ^= s.0
    s.3 ^= s.1
    s.1 ^= s.2
    s.0 ^= s.3
    s.2 ^= t
    s.3 = Self.rotl(s.3, 45)
    return result
  }

  /// A new, independent-looking generator seeded from this one's next output.
  public mutating func split() -> Xoshiro256 { Xoshiro256(seed: next()) }

  /// Uniform Double in [0, 1) with 53 random bits.
  public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// Uniform Double in [low, high).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }

  /// Uniform integer in 0..<bound (unbiased; `bound` must be positive).
  public mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "Xoshiro256.below: bound must be positive")
    return Int(next(upperBound: UInt64(bound)))
  }

  /// Standard normal sample (Box–Muller; uses two uniforms, no cached spare, so the state fully
  /// describes the stream).
  public mutating func normal() -> Double {
    let u1 = 1 - uniform()  // (0, 1]
    let u2 = uniform()
    return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// Normal sample with the given mean and standard deviation.
  public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
    mean + standardDeviation * normal()
  }

  /// A random permutation of 0..<count (Fisher–Yates).
  public mutating func permutation(_ count: Int) -> [Int] {
    var p = Array(0..<max(0, count))
    if p.count > 1 {
      for i in stride(from: p.count - 1, to: 0, by: -1) {
        p.swapAt(i, below(i + 1))
      }
    }
    return p
  }
}
