import Testing
@testable import PoseTraining
