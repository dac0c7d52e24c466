// PoseScopeTests: this target's fixtures.
import Foundation
import PoseScopeTestSupport
import Testing

enum Fixtures {
  static let folder = FixtureFolder(.module)

  static func path(_ name: String) throws -> String { try folder.path(name) }
}
