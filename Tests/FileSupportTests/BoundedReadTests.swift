// FileSupportTests: the one bounded whole-file read — what it returns, and why it refuses.
import FileSupport
import Foundation
import PoseScopeTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct BoundedReadTests {
  @Test func readsTheWholeFileAndRefusesWhatItCannotRead() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-bounded")
    defer { TestFiles.remove(dir) }
    let file = dir + "/data.bin"
    let bytes = (0..<1000).map { UInt8($0 % 251) }
    try TestFiles.write(bytes, to: file)
    #expect(try BoundedRead.bytes(file, limit: 1000) == bytes)
    #expect(throws: BoundedReadError.tooLarge(bytes: 1000)) { try BoundedRead.bytes(file, limit: 999) }
    #expect(try BoundedRead.prefix(file, count: 10) == Array(bytes[0..<10]))
    #expect(try BoundedRead.prefix(file, count: 5000) == bytes)
    #expect(throws: BoundedReadError.isDirectory) { try BoundedRead.prefix(dir, count: 10) }

    let empty = dir + "/empty.bin"
    try TestFiles.write([UInt8](), to: empty)
    #expect(try BoundedRead.bytes(empty, limit: 10).isEmpty)

    #expect(throws: BoundedReadError.notFound) { try BoundedRead.bytes(dir + "/missing", limit: 10) }
    #expect(throws: BoundedReadError.notFound) { try BoundedRead.bytes(file + "/below-a-file", limit: 10) }
    #expect(throws: BoundedReadError.isDirectory) { try BoundedRead.bytes(dir, limit: 10) }

    // A FIFO with no writer: refused at once, never waited on.
    let fifo = dir + "/fifo"
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(throws: BoundedReadError.notRegularFile) { try BoundedRead.bytes(fifo, limit: 10) }

    let loop = dir + "/loop"
    try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
    #expect {
      try BoundedRead.bytes(loop, limit: 10)
    } throws: { error in
      guard case .unreadable(_, let code)? = error as? BoundedReadError else { return false }
      return code == ELOOP
    }
  }
}
