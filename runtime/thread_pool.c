/*===- thread_pool.c - the runtime's thread pool for parallel loops -------===*
 *
 * nnc_thread_pool (nnc_runtime.h): threads - 1 workers wait for a generation
 * counter to advance; each call of parallel_for publishes one job, splits
 * [0, count) into `threads` contiguous chunks, runs chunk 0 on the calling
 * thread and waits until every worker has run its chunk. Both sides spin
 * briefly before sleeping on a condition variable: a model's parallel loops
 * follow each other within microseconds, much less than a futex wake-up
 * takes in a virtual machine.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "nnc_runtime.h"

#include <pthread.h>
#include <stdlib.h>

struct nnc_thread_pool {
  nnc_parallel parallel; /* first: its context is the pool */
  int threads;
  pthread_t *workers;
  pthread_mutex_t lock;
  pthread_cond_t start, done;
  uint64_t generation; /* advanced once per job (atomic) */
  int pending;         /* workers still running the current job (atomic) */
  int stopping;
  /* The current job. */
  int64_t count;
  void (*body)(void *arg, int64_t begin, int64_t end);
  void *arg;
};

typedef struct worker_start {
  nnc_thread_pool *pool;
  int index; /* 1 .. threads - 1; the caller runs chunk 0 */
} worker_start;

/* Polls before sleeping: about 4096 pause instructions. */
enum { SPINS = 4096 };

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Chunk `index` of [0, count) split into `threads` contiguous parts. */
static void run_chunk(const nnc_thread_pool *pool, int index) {
  int64_t begin = pool->count * index / pool->threads;
  int64_t end = pool->count * (index + 1) / pool->threads;
  if (begin < end)
    pool->body(pool->arg, begin, end);
}

static void *worker_main(void *raw) {
  worker_start start = *(worker_start *)raw;
  free(raw);
  nnc_thread_pool *pool = start.pool;
  uint64_t seen = 0;
  for (;;) {
    for (int i = 0; i < SPINS && __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE) == seen &&
                    !__atomic_load_n(&pool->stopping, __ATOMIC_ACQUIRE);
         ++i)
      cpu_relax();
    pthread_mutex_lock(&pool->lock);
    while (__atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE) == seen && !pool->stopping)
      pthread_cond_wait(&pool->start, &pool->lock);
    int stopping = pool->stopping;
    pthread_mutex_unlock(&pool->lock);
    if (stopping)
      return NULL;
    seen = __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE);
    run_chunk(pool, start.index);
    if (__atomic_sub_fetch(&pool->pending, 1, __ATOMIC_ACQ_REL) == 0) {
      pthread_mutex_lock(&pool->lock);
      pthread_cond_signal(&pool->done);
      pthread_mutex_unlock(&pool->lock);
    }
  }
}

static void pool_parallel_for(void *context, int64_t count,
                              void (*body)(void *arg, int64_t begin, int64_t end), void *arg) {
  nnc_thread_pool *pool = context;
  if (pool->threads == 1 || count <= 1) {
    if (count > 0)
      body(arg, 0, count);
    return;
  }
  pool->count = count;
  pool->body = body;
  pool->arg = arg;
  __atomic_store_n(&pool->pending, pool->threads - 1, __ATOMIC_RELAXED);
  pthread_mutex_lock(&pool->lock);
  __atomic_add_fetch(&pool->generation, 1, __ATOMIC_RELEASE); /* publishes the job */
  pthread_cond_broadcast(&pool->start);
  pthread_mutex_unlock(&pool->lock);
  run_chunk(pool, 0);
  for (int i = 0; i < SPINS && __atomic_load_n(&pool->pending, __ATOMIC_ACQUIRE) > 0; ++i)
    cpu_relax();
  pthread_mutex_lock(&pool->lock);
  while (__atomic_load_n(&pool->pending, __ATOMIC_ACQUIRE) > 0)
    pthread_cond_wait(&pool->done, &pool->lock);
  pthread_mutex_unlock(&pool->lock);
}

nnc_thread_pool *nnc_thread_pool_create(int threads) {
  if (threads < 1)
    return NULL;
  nnc_thread_pool *pool = calloc(1, sizeof *pool);
  if (!pool)
    return NULL;
  pool->parallel.parallel_for = pool_parallel_for;
  pool->parallel.context = pool;
  pool->threads = threads;
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->start, NULL);
  pthread_cond_init(&pool->done, NULL);
  pool->workers = calloc((size_t)threads, sizeof *pool->workers);
  if (!pool->workers) {
    nnc_thread_pool_destroy(pool);
    return NULL;
  }
  for (int i = 1; i < threads; ++i) {
    worker_start *start = malloc(sizeof *start);
    if (start) {
      start->pool = pool;
      start->index = i;
    }
    if (!start || pthread_create(&pool->workers[i], NULL, worker_main, start) != 0) {
      free(start);
      pool->threads = i; /* destroy joins the workers started so far */
      nnc_thread_pool_destroy(pool);
      return NULL;
    }
  }
  return pool;
}

void nnc_thread_pool_destroy(nnc_thread_pool *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->lock);
  __atomic_store_n(&pool->stopping, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->start);
  pthread_mutex_unlock(&pool->lock);
  for (int i = 1; pool->workers && i < pool->threads; ++i)
    pthread_join(pool->workers[i], NULL);
  pthread_cond_destroy(&pool->start);
  pthread_cond_destroy(&pool->done);
  pthread_mutex_destroy(&pool->lock);
  free(pool->workers);
  free(pool);
}

const nnc_parallel *nnc_thread_pool_parallel(const nnc_thread_pool *pool) {
  return pool ? &pool->parallel : NULL;
}
