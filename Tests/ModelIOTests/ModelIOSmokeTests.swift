import Testing
@testable import ModelIO

@Test func moduleLoads() {
  #expect(Bool(true))
}
