// CKernels: a small fork-join thread pool whose workers spin briefly between parallel regions (handing
// work to a sleeping thread costs tens of microseconds, to a spinning one well under one), and which
// gives each thread the same share of every region (the data a thread wrote stays in its core's cache).
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define CK_POOL_MAX_WORKERS 63
#define CK_POOL_PARTS (CK_POOL_MAX_WORKERS + 1)
#define CK_POOL_SPINS 8192  // roughly 0.1–1 ms of polling (with yields) before a worker sleeps

static pthread_mutex_t ck_region_lock = PTHREAD_MUTEX_INITIALIZER;  // one parallel region at a time
static pthread_mutex_t ck_wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ck_wake = PTHREAD_COND_INITIALIZER;
static int ck_sleepers;  // guarded by ck_wake_lock
static int ck_workers;   // guarded by ck_region_lock

// A region's n tasks are split into P contiguous shares, one per participant (the caller is participant
// 0, worker i is participant i + 1, in the order the workers were made): task i of every region goes to
// the same thread, so when consecutive operators split the same rows the same way, each thread reads
// what it wrote (on this VM's cores a cache line written by the other core costs far more than one of its
// own). A participant runs its own share first, then takes the unclaimed tasks of the others' (a thread
// that was descheduled on a shared CPU does not hold the region up). Workers beyond a region's P − 1 (made
// for an earlier region with more threads) sit it out: a region never runs on more threads than asked.
//
// Each share is one word: generation (high 24 bits), end (middle 20) and next unclaimed task (low 20).
// The generation must sit in the word the claim changes: a worker that read the job fields late may see
// the *next* region's fields while it still works on the old one; its claims then fail (the old shares
// are all claimed or already overwritten with the new generation) instead of running a task of a region
// not started yet.
typedef struct {
  _Atomic uint64_t word;
  char pad[64 - sizeof(uint64_t)];
} ck_share;
static ck_share ck_shares[CK_POOL_PARTS] __attribute__((aligned(64)));

// The current region: generation (high 24 bits) and its number of shares P (low 20).
static _Atomic uint64_t ck_state __attribute__((aligned(64)));
static _Atomic(ck_task_fn) ck_job_fn;
static _Atomic(void *) ck_job_ctx;
static _Atomic int ck_pending;  // tasks not finished yet

#define CK_TASK_BITS 20
#define CK_TASK_MASK ((1u << CK_TASK_BITS) - 1)
#define CK_GEN_SHIFT (2 * CK_TASK_BITS)
#define CK_GEN_MASK 0xFFFFFFu

static inline uint32_t ck_gen(uint64_t v) { return (uint32_t)(v >> CK_GEN_SHIFT); }
static inline int ck_end(uint64_t v) { return (int)((v >> CK_TASK_BITS) & CK_TASK_MASK); }
static inline int ck_low(uint64_t v) { return (int)(v & CK_TASK_MASK); }

static inline void ck_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

/// Claims and runs tasks of region `gen` — participant `self`'s share first, then the others' — until
/// none is left or the region is over. `fn` and `ctx` are region `gen`'s whenever a claim succeeds: a
/// later region's fields are written only after every task of `gen` was claimed.
static void ck_work(uint32_t gen, int self, int parts, ck_task_fn fn, void *ctx) {
  for (int k = 0; k < parts; k++) {
    _Atomic uint64_t *share = &ck_shares[(self + k) % parts].word;
    uint64_t v = atomic_load_explicit(share, memory_order_acquire);
    for (;;) {
      if (ck_gen(v) != gen || ck_low(v) >= ck_end(v)) break;
      if (!atomic_compare_exchange_weak_explicit(share, &v, v + 1, memory_order_acq_rel,
                                                 memory_order_acquire))
        continue;
      fn(ctx, ck_low(v));
      atomic_fetch_sub_explicit(&ck_pending, 1, memory_order_release);
      v = atomic_load_explicit(share, memory_order_acquire);
    }
  }
}

static void *ck_worker(void *arg) {
  int self = (int)(intptr_t)arg;
  uint32_t seen = ck_gen(atomic_load_explicit(&ck_state, memory_order_acquire));
  for (;;) {
    uint64_t v;
    int spins = 0;
    while (ck_gen(v = atomic_load_explicit(&ck_state, memory_order_acquire)) == seen) {
      if (++spins < CK_POOL_SPINS) {
        // Yield now and then: on a shared CPU a spinning worker must not crowd out the thread it serves.
        if (spins % 64 == 0)
          sched_yield();
        else
          ck_relax();
        continue;
      }
      pthread_mutex_lock(&ck_wake_lock);
      ck_sleepers++;
      while (ck_gen(atomic_load_explicit(&ck_state, memory_order_acquire)) == seen)
        pthread_cond_wait(&ck_wake, &ck_wake_lock);
      ck_sleepers--;
      pthread_mutex_unlock(&ck_wake_lock);
      spins = 0;
    }
    seen = ck_gen(v);
    // The job fields were written before the region's state was published (release/acquire); if the
    // region is already over (they may then be a later region's), every claim in ck_work fails.
    ck_task_fn fn = atomic_load_explicit(&ck_job_fn, memory_order_relaxed);
    void *ctx = atomic_load_explicit(&ck_job_ctx, memory_order_relaxed);
    int parts = ck_low(v);
    // A region of fewer threads than there are workers leaves the later workers out: it asked for
    // `parts` threads, and each of those starts on its own share.
    if (self < parts) ck_work(seen, self, parts, fn, ctx);
  }
  return NULL;
}

void ck_parallel(int n, int threads, ck_task_fn fn, void *ctx) {
  if (n <= 1 || threads <= 1 || n > (int)CK_TASK_MASK || pthread_mutex_trylock(&ck_region_lock) != 0) {
    // One task or thread, more tasks than a share word counts, or another thread's region is running:
    // run everything here.
    for (int i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  if (threads > n) threads = n;
  if (threads > CK_POOL_PARTS) threads = CK_POOL_PARTS;
  while (ck_workers < threads - 1) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&t, &attr, ck_worker, (void *)(intptr_t)(ck_workers + 1));
    pthread_attr_destroy(&attr);
    if (failed) break;  // fewer workers: the caller claims their shares itself
    ck_workers++;
  }
  int parts = threads;
  uint32_t gen = (ck_gen(atomic_load_explicit(&ck_state, memory_order_relaxed)) + 1) & CK_GEN_MASK;
  atomic_store_explicit(&ck_job_fn, fn, memory_order_relaxed);
  atomic_store_explicit(&ck_job_ctx, ctx, memory_order_relaxed);
  atomic_store_explicit(&ck_pending, n, memory_order_relaxed);
  for (int p = 0; p < parts; p++) {
    uint64_t start = (uint64_t)n * (uint64_t)p / (uint64_t)parts;
    uint64_t end = (uint64_t)n * (uint64_t)(p + 1) / (uint64_t)parts;
    atomic_store_explicit(&ck_shares[p].word,
                          ((uint64_t)gen << CK_GEN_SHIFT) | (end << CK_TASK_BITS) | start,
                          memory_order_relaxed);
  }
  atomic_store_explicit(&ck_state, ((uint64_t)gen << CK_GEN_SHIFT) | (uint64_t)parts,
                        memory_order_release);
  pthread_mutex_lock(&ck_wake_lock);
  if (ck_sleepers > 0) pthread_cond_broadcast(&ck_wake);
  pthread_mutex_unlock(&ck_wake_lock);
  ck_work(gen, 0, parts, fn, ctx);
  int spins = 0;
  while (atomic_load_explicit(&ck_pending, memory_order_acquire) > 0) {
    if (++spins < 4096)
      ck_relax();
    else
      sched_yield();  // a worker holding a task was descheduled: let it run
  }
  pthread_mutex_unlock(&ck_region_lock);
}

// ---- The machine's core-to-core latency, for the benchmark's report ----

static _Atomic int ck_ping __attribute__((aligned(64)));

static void *ck_pong(void *arg) {
  int rounds = (int)(intptr_t)arg;
  for (int i = 0; i < rounds; i++) {
    while (atomic_load_explicit(&ck_ping, memory_order_acquire) != 1) ck_relax();
    atomic_store_explicit(&ck_ping, 0, memory_order_release);
  }
  return NULL;
}

double ck_core_round_trip_ns(int rounds) {
  if (rounds < 1) return -1;
  atomic_store(&ck_ping, 0);
  pthread_t t;
  if (pthread_create(&t, NULL, ck_pong, (void *)(intptr_t)rounds) != 0) return -1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < rounds; i++) {
    atomic_store_explicit(&ck_ping, 1, memory_order_release);
    while (atomic_load_explicit(&ck_ping, memory_order_acquire) != 0) ck_relax();
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  pthread_join(t, NULL);
  return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / rounds;
}
