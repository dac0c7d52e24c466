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

  /// Every thread starts a region on its own share — the caller on the first rows, worker p on the p-th
  /// contiguous share — and no more threads than asked take part, even after a region with more threads
  /// made more workers. Each thread's first task waits until all of the region's threads have one, so no
  /// thread can finish anything (and go on to another's share) before every thread has made its first
  /// claim: the first rows are then fixed by the pool's rule, whatever the scheduler does. Regions that
  /// another test's region kept off the pool (it runs one region at a time; the caller then runs
  /// everything itself) or whose workers did not wake within the wait are skipped. A pool that hands out
  /// tasks from one queue gives a worker row 1 first; one that let the extra worker of a 3-thread region
  /// join a 2-thread region starts it on the caller's share.
  @Test(arguments: [2, 3]) func everyThreadStartsOnItsOwnShare(threads: Int) {
    parallelRows(6, threads: 3, minimum: 1) { _ in }  // makes a third participant's worker exist
    let rows = 4 * threads  // one task per row: 4 tasks per thread
    let starts = (0..<threads).map { rows * $0 / threads }
    let caller = UInt64(pthread_self())
    let slots = threads + 2  // room for threads that should not be there
    let owner = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: slots)
    let firstRow = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: slots)
    for i in 0..<slots {
      (owner + i).initialize(to: Atomic(0))
      (firstRow + i).initialize(to: Atomic(-1))
    }
    let arrivals = Atomic<Int>(0)  // threads in their first task; −1 once the wait timed out
    defer {
      owner.deallocate()
      firstRow.deallocate()
    }
    var paired = 0
    var wrong: [String] = []
    for _ in 0..<400 where paired < 40 && wrong.count < 5 {
      for i in 0..<slots {
        owner[i].store(0, ordering: .relaxed)
        firstRow[i].store(-1, ordering: .relaxed)
      }
      arrivals.store(0, ordering: .relaxed)
      parallelRows(rows, threads: threads, minimum: 1) { r in
        let me = UInt64(pthread_self())
        // This thread's slot; a new thread takes the first free one and records its first row.
        for i in 0..<slots {
          if owner[i].load(ordering: .acquiring) == me { return }
          if owner[i].compareExchange(expected: 0, desired: me, ordering: .acquiringAndReleasing).exchanged {
            firstRow[i].store(r.lowerBound, ordering: .relaxed)
            break
          }
        }
        var v = arrivals.load(ordering: .acquiring)
        while v >= 0 {
          let (done, now) = arrivals.compareExchange(
            expected: v, desired: v + 1, ordering: .acquiringAndReleasing)
          if done { break }
          v = now
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + 200_000_000
        while true {
          let n = arrivals.load(ordering: .acquiring)
          if n < 0 || n >= threads { return }
          if DispatchTime.now().uptimeNanoseconds > deadline {
            _ = arrivals.compareExchange(expected: n, desired: -1, ordering: .acquiringAndReleasing)
          } else {
            sched_yield()
          }
        }
      }
      guard arrivals.load(ordering: .relaxed) >= threads else { continue }
      paired += 1
      var firsts: [Int] = []
      var callerFirst = -1
      for i in 0..<slots where owner[i].load(ordering: .relaxed) != 0 {
        let row = firstRow[i].load(ordering: .relaxed)
        firsts.append(row)
        if owner[i].load(ordering: .relaxed) == caller { callerFirst = row }
      }
      if callerFirst != 0 || firsts.sorted() != starts {
        wrong.append("caller first ran row \(callerFirst), the threads' first rows were \(firsts.sorted())")
      }
    }
    #expect(paired >= 10, "all \(threads) threads took part in only \(paired) regions")
    #expect(wrong.isEmpty, "first rows should be the shares' starts \(starts): \(wrong)")
  }
}
