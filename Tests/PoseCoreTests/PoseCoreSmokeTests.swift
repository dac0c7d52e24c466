import Testing
@testable import PoseCore

@Test func moduleLoads() {
  #expect(Bool(true))
}
