import Foundation
// PoseScopeTestSupport: a seeded random generator, so "random" test data is the same on every run and machine.
import PoseCore

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny generator whose outputs depend only on the seed, for
/// random test data and mutations that are the same on every run and machine.
///
/// Named apart from `PoseTraining.SplitMix64` (the same algorithm in the library, which is itself under
/// test) so that a test target can import both.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  /// The current state (the seed before the first output).
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

  /// A whole number in `0..<n` (`n` > 0): the next output modulo `n`.
  public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

  /// A `Float` in [-1, 1) from the top 24 bits of the next output (every value exact).
  public mutating func nextSignedFloat() -> Float {
    Float(next() >> 40) / Float(1 << 24) * 2 - 1
  }

  /// `count` values of `nextSignedFloat()`.
  public mutating func signedFloats(_ count: Int) -> [Float] { (0..<count).map { _ in nextSignedFloat() } }

  /// Changes `bytes[index]` in one of four ways, chosen by the next outputs: flips a random non-empty set of
  /// its bits, zeroes it, sets it to 0xFF, or steps it by +1 or −1 (wrapping); for mutation tests of file
  /// readers.
  public mutating func mutateByte(_ bytes: inout [UInt8], at index: Int) {
    switch below(4) {
    case 0: bytes[index] ^= UInt8(1 + below(255))
    case 1: bytes[index] = 0
    case 2: bytes[index] = 0xFF
    default: bytes[index] &+= below(2) == 0 ? 1 : 255
    }
  }
}

/// A point with each coordinate uniform in `range`.
public func randomVec3(_ rng: inout SeededRandom, range: ClosedRange<Double> = -1...1) -> Vec3 {
  Vec3(
    Double.random(in: range, using: &rng), Double.random(in: range, using: &rng),
    Double.random(in: range, using: &rng))
}

/// A rotation about a random axis by a uniform angle in [−π, π].
public func randomRotation(_ rng: inout SeededRandom) -> Mat3 {
  Mat3.rotation(axis: randomVec3(&rng), angle: Double.random(in: -Double.pi...Double.pi, using: &rng))
}
