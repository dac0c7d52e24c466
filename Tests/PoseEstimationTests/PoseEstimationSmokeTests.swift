import Testing
@testable import PoseEstimation

@Test func moduleLoads() {
  #expect(Bool(true))
}
