// CKernels: a small fork-join thread pool whose workers spin briefly between parallel regions (handing
// work to a sleeping thread costs tens of microseconds, to a spinning one well under one).
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#define CK_POOL_MAX_WORKERS 63
#define CK_POOL_SPINS 8192  // roughly 0.1–1 ms of polling (with yields) before a worker sleeps

static pthread_mutex_t ck_region_lock = PTHREAD_MUTEX_INITIALIZER;  // one parallel region at a time
static pthread_mutex_t ck_wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ck_wake = PTHREAD_COND_INITIALIZER;
static int ck_sleepers;  // guarded by ck_wake_lock
static int ck_workers;   // guarded by ck_region_lock

// The current region: generation in the high 32 bits, the next unclaimed task in the low 32.
static _Atomic uint64_t ck_state;
static _Atomic(ck_task_fn) ck_job_fn;
static _Atomic(void *) ck_job_ctx;
static _Atomic int ck_job_n;
static _Atomic int ck_pending;  // tasks not finished yet

static inline void ck_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

/// Claims and runs tasks of region `gen` until none is left or the region is over.
static void ck_work(uint32_t gen, ck_task_fn fn, void *ctx, int n) {
  for (;;) {
    uint64_t v = atomic_load_explicit(&ck_state, memory_order_acquire);
    if ((uint32_t)(v >> 32) != gen || (int)(uint32_t)v >= n) return;
    if (!atomic_compare_exchange_weak_explicit(&ck_state, &v, v + 1, memory_order_acq_rel,
                                               memory_order_relaxed))
      continue;
    fn(ctx, (int)(uint32_t)v);
    atomic_fetch_sub_explicit(&ck_pending, 1, memory_order_release);
  }
}

static void *ck_worker(void *arg) {
  (void)arg;
  uint32_t seen = (uint32_t)(atomic_load_explicit(&ck_state, memory_order_acquire) >> 32);
  for (;;) {
    uint64_t v;
    int spins = 0;
    while ((uint32_t)((v = atomic_load_explicit(&ck_state, memory_order_acquire)) >> 32) == seen) {
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
      while ((uint32_t)(atomic_load_explicit(&ck_state, memory_order_acquire) >> 32) == seen)
        pthread_cond_wait(&ck_wake, &ck_wake_lock);
      ck_sleepers--;
      pthread_mutex_unlock(&ck_wake_lock);
      spins = 0;
    }
    seen = (uint32_t)(v >> 32);
    // The job fields were written before the region's state was published (release/acquire); if the
    // region is already over, ck_work's generation check stops before they are used.
    ck_task_fn fn = atomic_load_explicit(&ck_job_fn, memory_order_relaxed);
    void *ctx = atomic_load_explicit(&ck_job_ctx, memory_order_relaxed);
    int n = atomic_load_explicit(&ck_job_n, memory_order_relaxed);
    ck_work(seen, fn, ctx, n);
  }
  return NULL;
}

void ck_parallel(int n, int threads, ck_task_fn fn, void *ctx) {
  if (n <= 1 || threads <= 1 || pthread_mutex_trylock(&ck_region_lock) != 0) {
    // One task or thread, or another thread's region is running: run everything here.
    for (int i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  if (threads > n) threads = n;
  int want = threads - 1 < CK_POOL_MAX_WORKERS ? threads - 1 : CK_POOL_MAX_WORKERS;
  while (ck_workers < want) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&t, &attr, ck_worker, NULL);
    pthread_attr_destroy(&attr);
    if (failed) break;  // fewer workers: the caller claims the remaining tasks itself
    ck_workers++;
  }
  atomic_store_explicit(&ck_job_fn, fn, memory_order_relaxed);
  atomic_store_explicit(&ck_job_ctx, ctx, memory_order_relaxed);
  atomic_store_explicit(&ck_job_n, n, memory_order_relaxed);
  atomic_store_explicit(&ck_pending, n, memory_order_relaxed);
  uint32_t gen = (uint32_t)(atomic_load_explicit(&ck_state, memory_order_relaxed) >> 32) + 1;
  atomic_store_explicit(&ck_state, (uint64_t)gen << 32, memory_order_release);
  pthread_mutex_lock(&ck_wake_lock);
  if (ck_sleepers > 0) pthread_cond_broadcast(&ck_wake);
  pthread_mutex_unlock(&ck_wake_lock);
  ck_work(gen, fn, ctx, n);
  int spins = 0;
  while (atomic_load_explicit(&ck_pending, memory_order_acquire) > 0) {
    if (++spins < 4096)
      ck_relax();
    else
      sched_yield();  // a worker holding a task was descheduled: let it run
  }
  pthread_mutex_unlock(&ck_region_lock);
}
