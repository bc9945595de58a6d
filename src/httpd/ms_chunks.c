/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_chunks.c: the output chunks of every document of the process, kept
 * for reuse.
 *
 * The renderer fills 64 KB chunks that leave as heap buckets, and
 * ms_api.c passes them on 256 KB at a time (each pass is a socket write,
 * and each write wakes a waiting client).  With malloc() and free() for
 * every chunk, the several chunks of a batch freed together made glibc
 * give the memory back to the system and fault it in again for the next
 * batch; the connection's bucket allocator did better until other
 * handlers' big requests (mod_dav) left it fragmented, and then took
 * twice the time.  Here freed chunks of the usual size go on a stack
 * shared by the process's threads (the write that frees one may run in
 * another thread than the one that filled it), up to MS_CHUNKS_KEPT of
 * them; the next chunk comes from the top, still in cache.  Other sizes,
 * and chunks past the limit, go to malloc() and free().
 */
#include <stdlib.h>

#include "apr_thread_mutex.h"

#include "ms_private.h"

#define MS_CHUNK_USUAL (64 * 1024)     /* the renderer's CHUNK_SIZE */

/* Under AddressSanitizer nothing is kept: a chunk used after it was freed
 * must be reported, not quietly reused (make check-sanitizers). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MS_CHUNKS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(MS_CHUNKS_ASAN)
#define MS_CHUNKS_KEPT 0
#else
#define MS_CHUNKS_KEPT 32              /* 2 MB per process at most */
#endif

/* Before each chunk: its size, and the link while it is kept.  16 bytes,
 * so the chunk itself stays aligned for anything. */
typedef union ms_chunk_hdr {
    struct {
        union ms_chunk_hdr *next;
        apr_size_t size;
    } h;
    char align[16];
} ms_chunk_hdr;

static ms_chunk_hdr *kept;
static int kept_n;
#if APR_HAS_THREADS
static apr_thread_mutex_t *kept_lock;
#define LOCK()   (kept_lock ? apr_thread_mutex_lock(kept_lock) : 0)
#define UNLOCK() (kept_lock ? apr_thread_mutex_unlock(kept_lock) : 0)
#else
#define LOCK()   0
#define UNLOCK() 0
#endif

static apr_status_t chunks_drop(void *data)
{
    ms_chunk_hdr *h;

    (void)data;
    while ((h = kept) != NULL) {
        kept = h->h.next;
        free(h);
    }
    kept_n = 0;
#if APR_HAS_THREADS
    kept_lock = NULL;
#endif
    return APR_SUCCESS;
}

void ms_chunks_init(apr_pool_t *pchild)
{
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&kept_lock, APR_THREAD_MUTEX_DEFAULT, pchild)
        != APR_SUCCESS)
        kept_lock = NULL;       /* then nothing is kept (see below) */
#endif
    apr_pool_cleanup_register(pchild, NULL, chunks_drop,
                              apr_pool_cleanup_null);
}

void *ms_chunk_alloc(apr_size_t size)
{
    ms_chunk_hdr *h = NULL;

    if (size == MS_CHUNK_USUAL && kept) {
        LOCK();
        if ((h = kept) != NULL) {
            kept = h->h.next;
            kept_n--;
        }
        UNLOCK();
    }
    if (!h) {
        h = malloc(sizeof(*h) + size);
        if (!h)
            return NULL;
        h->h.size = size;
    }
    return h + 1;
}

void ms_chunk_free(void *buf)
{
    ms_chunk_hdr *h;

    if (!buf)
        return;
    h = (ms_chunk_hdr *)buf - 1;
#if APR_HAS_THREADS
    if (h->h.size == MS_CHUNK_USUAL && kept_lock) {
#else
    if (h->h.size == MS_CHUNK_USUAL) {
#endif
        LOCK();
        if (kept_n < MS_CHUNKS_KEPT) {
            h->h.next = kept;
            kept = h;
            kept_n++;
            h = NULL;
        }
        UNLOCK();
    }
    free(h);
}
