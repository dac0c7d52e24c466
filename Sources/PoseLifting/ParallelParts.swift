// PoseLifting: splitting work between threads on CKernels' pool, and when a split pays.

import CKernels

/// Work below this many floating-point operations runs on one thread: handing it out costs about as much
/// as the second thread saves (the engine's threshold for a GEMM too).
let minimumParallelFlops = 2_000_000

/// Runs `body(i)` for every i in `0..<parts` on the calling thread and up to `threads − 1` workers of
/// CKernels' pool, returning when all are done; on one thread (in order) when `threads` or `parts` is 1.
/// Parts must write disjoint memory.
func parallelParts(_ parts: Int, threads: Int, _ body: (Int) -> Void) {
  guard parts > 1, threads > 1 else {
    for i in 0..<parts { body(i) }
    return
  }
  withoutActuallyEscaping(body) { escaping in
    var job = PartsJob(body: escaping)
    withUnsafeMutablePointer(to: &job) { p in
      ck_parallel(
        Int32(parts), Int32(threads),
        { ctx, i in ctx?.assumingMemoryBound(to: PartsJob.self).pointee.body(Int(i)) }, p)
    }
  }
}

/// What `parallelParts` hands to its tasks.
private struct PartsJob {
  let body: (Int) -> Void
}
