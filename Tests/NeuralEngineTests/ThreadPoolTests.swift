// Tests of CKernels' thread pool through `parallelRows`: every task of every region runs exactly once and
// before the region returns, across many back-to-back regions of different sizes (the pattern in which a
// worker that read a region's job late once ran a task of the next region and let it return early).
import Foundation
import Synchronization
import Testing

@testable import NeuralEngine

@Suite struct ThreadPoolTests {
  /// 20,000 regions of 2…37 rows, 1–3 threads: each row's counter is bumped exactly once per region, and
  /// the whole region is done when `parallelRows` returns.
  @Test func everyRowOnceAndBeforeReturn() {
    let maxRows = 37
    let counts = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: maxRows)
    for i in 0..<maxRows { (counts + i).initialize(to: Atomic(0)) }
    defer { counts.deallocate() }
    var failures = 0
    for region in 0..<20_000 {
      let rows = 2 + (region * 7919) % (maxRows - 1)
      let threads = 1 + region % 3
      parallelRows(rows, threads: threads, minimum: 1) { r in
        for i in r { counts[i].add(1, ordering: .relaxed) }
      }
      for i in 0..<maxRows {
        let seen = counts[i].exchange(0, ordering: .relaxed)
        if seen != (i < rows ? 1 : 0) { failures += 1 }
      }
    }
    #expect(failures == 0, "\(failures) rows ran a wrong number of times or after the region returned")
  }

  /// The calling thread runs its own share — the first half of the rows with 2 threads — in every region
  /// (the other thread starts on the second half and takes from the first only when the caller fell
  /// behind), so consecutive operators that split rows alike find their inputs in their own core's cache.
  /// A pool that hands out tasks in one queue gives row 1 to the other thread whenever it is awake.
  @Test func theCallerKeepsItsShare() {
    let rows = 8
    let caller = UInt64(pthread_self())
    let onCaller = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: rows)
    for i in 0..<rows { (onCaller + i).initialize(to: Atomic(0)) }
    defer { onCaller.deallocate() }
    let regions = 400
    for _ in 0..<regions {
      parallelRows(rows, threads: 2, minimum: 1) { r in
        // About a few microseconds of work per row, so both threads take part.
        var x = 1.0
        for k in 0..<2_000 { x = x * 1.000_001 + Double(k & 1) }
        let mine = UInt64(pthread_self()) == caller
        for i in r where mine && x > 0 { onCaller[i].add(1, ordering: .relaxed) }
      }
    }
    let firstHalf = (0..<rows / 2).map { onCaller[$0].load(ordering: .relaxed) }
    for (row, n) in firstHalf.enumerated() {
      #expect(
        n >= regions * 9 / 10, "row \(row) ran on the calling thread in only \(n) of \(regions) regions")
    }
  }
}
