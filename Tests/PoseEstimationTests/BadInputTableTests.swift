// PoseEstimationTests: the estimator rows of docs/BAD_INPUTS.md: an image with no person and a 1×1 image
// give no pose (not an error) with the real models (PoseScopeTests.FrameRecordTests: their record says so).
import Foundation
import MediaIO
import Testing

@testable import PoseEstimation

@Suite struct BadInputTableTests {
  @Test func imageWithNoPersonGivesNoPose() throws {
    let estimator = try realEstimator(staticMode: true)
    let wall = try #require(Image(width: 640, height: 480, color: RGB(128, 128, 128)))
    #expect(try estimator.process(wall) == nil)
  }

  @Test func onePixelImageGivesNoPose() throws {
    let estimator = try realEstimator(staticMode: true)
    let dot = try #require(Image(width: 1, height: 1, color: RGB(200, 150, 100)))
    #expect(try estimator.process(dot) == nil)
  }
}
