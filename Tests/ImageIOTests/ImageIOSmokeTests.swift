import Testing
@testable import ImageIO

@Test func moduleLoads() {
  #expect(Bool(true))
}
