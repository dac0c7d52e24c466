// FileSupportTests: AtomicFile's guarantees — the target holds the old file or the whole new one, failures
// leave no temporary, and the temporaries of dead writers (not of live ones) are removed on the next write.
import Foundation
import PoseScopeTestSupport
import Testing

@testable import FileSupport

@Suite struct AtomicFileTests {
  static func contents(_ dir: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
  }

  /// A process id that no process has now: a child that has exited and been reaped.
  static func deadPID() throws -> Int32 {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/true")
    try child.run()
    child.waitUntilExit()
    let pid = child.processIdentifier
    try #require(kill(pid, 0) != 0 && errno == ESRCH, "pid \(pid) was reused already")
    return pid
  }

  @Test func replacesTheFileAndLeavesNothingElse() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-atomic")
    defer { TestFiles.remove(dir) }
    let path = dir + "/doc.json"
    try AtomicFile.write(Array("old".utf8), to: path)
    try AtomicFile.write(Array("new and longer".utf8), to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new and longer")
    #expect(try Self.contents(dir) == ["doc.json"])
  }

  @Test func aFailingBodyKeepsTheOldFileAndRemovesItsTemporary() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-atomic")
    defer { TestFiles.remove(dir) }
    let path = dir + "/doc.json"
    try AtomicFile.write(Array("keep me".utf8), to: path)
    struct DiskFull: Error {}
    #expect(throws: DiskFull.self) {
      try AtomicFile.write(to: path) { fd in
        _ = Array("partial".utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        throw DiskFull()
      }
    }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    #expect(try Self.contents(dir) == ["doc.json"])
  }

  @Test func failuresNameTheStep() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-atomic")
    defer { TestFiles.remove(dir) }
    #expect(throws: AtomicFileError(path: dir + "/", reason: "the path names no file")) {
      try AtomicFile.write([1], to: dir + "/")
    }
    do {
      try AtomicFile.write([1], to: dir + "/no/such/doc.json")
      Issue.record("writing into a missing folder succeeded")
    } catch let error as AtomicFileError {
      #expect(error.reason.hasPrefix("cannot create a temporary file in \(dir)/no/such: "))
    }
    try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: false)
    do {
      try AtomicFile.write([1], to: dir + "/taken")
      Issue.record("a folder at the target was replaced")
    } catch let error as AtomicFileError {
      #expect(error.reason.hasPrefix("rename: "))
    }
    #expect(try Self.contents(dir) == ["taken"])
  }

  /// A writer killed mid-write leaves `.doc.json.tmp-<its pid>-…`: the next write of doc.json removes it
  /// once it is 5 minutes old; the temporaries of a live process (this one's parent stands in for another
  /// writer), of this process, of other files, and a dead process's recent one (a writer on another
  /// machine sharing the folder has a pid that means nothing here) stay.
  @Test func theNextWriteRemovesTheTemporariesOfDeadWriters() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-atomic")
    defer { TestFiles.remove(dir) }
    let dead = try Self.deadPID()
    let live = getppid()
    let old = [
      ".doc.json.tmp-\(dead)-0-123",  // stale: removed
      ".doc.json.tmp-\(dead)-1-456",  // stale: removed
      ".doc.json.tmp-\(live)-0-789",  // another writer, alive: kept
      ".doc.json.tmp-\(getpid())-0-1",  // this process (another thread may be writing): kept
      ".other.json.tmp-\(dead)-0-1",  // another file's: kept
      ".doc.json.tmp-notapid",  // not ours: kept
    ]
    let recent = ".doc.json.tmp-\(dead)-2-789"  // modified just now: kept
    let tenMinutesAgo = Date(timeIntervalSinceNow: -600)
    for name in old + [recent] {
      let path = dir + "/" + name
      try TestFiles.write("x", to: path)
      if name != recent {
        try FileManager.default.setAttributes([.modificationDate: tenMinutesAgo], ofItemAtPath: path)
      }
    }
    try AtomicFile.write(Array("{}".utf8), to: dir + "/doc.json")
    #expect(try Self.contents(dir) == (["doc.json", recent] + old.dropFirst(2)).sorted())
    #expect(AtomicFile.removeStaleTemporaries(of: dir + "/doc.json") == 0)
    #expect(AtomicFile.removeStaleTemporaries(of: dir + "/doc.json", minimumAge: 0) == 1)
  }
}
