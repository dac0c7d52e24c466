import Testing
@testable import NeuralEngine

@Test func moduleLoads() {
  #expect(Bool(true))
}
