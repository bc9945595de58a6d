/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_files_list.c: the mod_ms_files example's listing of a folder -- its
 * members in directory order, each with the file info of its target.
 *
 * A listing costs one stat per member, and the stat (the kernel's lookup
 * of one name) is most of a listing's time.  Where POSIX.1-2008 is there,
 * each is an fstatat() relative to the open folder: the kernel looks up
 * one name, not every segment of the path again.  On Linux, where the
 * kernel has io_uring (5.6 and later) and the administrator allows it
 * (MsFilesIOUring, default On), the members are read in batches of up to
 * FILES_BATCH names (the caller says how many: fewer for folders deep in
 * a Depth infinity walk, whose batches are all held at once) and stat'ed
 * together: one io_uring_enter() for the batch instead of one system call
 * per member.  Each system call costs an
 * entry into the kernel and a return; in a virtual machine that is most of
 * a stat's cost (on the benchmark machine, a folder of 1,000 files:
 * 1.88 ms with fstatat(), 0.99 ms through the ring).
 *
 * The ring is the thread's own (an httpd thread serves one request at a
 * time), made at its first listing and kept until the thread ends: making
 * one costs about 100 us.  A batch is submitted and all of its answers
 * reaped before a batch call returns, so a listing inside a listing (Depth
 * infinity) uses the same ring in turn.  Where the ring cannot be made
 * (an older kernel, a seccomp filter, kernel.io_uring_disabled), the
 * thread uses fstatat() and says so once at level info; a member the ring
 * could not stat for any reason but "gone" is stat'ed again with
 * fstatat(), so both ways give the same answers.
 *
 * No library: the ring is three mmap()ed areas and two system calls
 * (<linux/io_uring.h>), which keeps the example one apxs line to build.
 */

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1           /* struct statx in <sys/stat.h> */
#endif

#include "httpd.h"
#include "http_log.h"

#include "apr_atomic.h"
#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "apr_portable.h"

#if APR_HAVE_UNISTD_H
#include <unistd.h>             /* _POSIX_VERSION */
#endif
#if defined(_POSIX_VERSION) && _POSIX_VERSION >= 200809L
/* POSIX.1-2008: fstatat(), dirfd() and nanosecond times (st_mtim) */
#define FILES_STATAT 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#endif

#if defined(FILES_STATAT) && defined(__linux__) && defined(__GNUC__) \
    && defined(__has_include)
#if __has_include(<linux/io_uring.h>) && __has_include(<sys/syscall.h>)
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#if defined(SYS_io_uring_setup) && defined(SYS_io_uring_enter) \
    && defined(STATX_BASIC_STATS) && APR_HAS_THREADS
#define FILES_RING 1
#endif
#endif
#endif

#include "mod_ms_files.h"

APLOG_USE_MODULE(ms_files);

#define FILES_HIDDEN   ".DAV"     /* mod_dav_fs' state folder */
#define FILES_BATCH    256        /* members stat'ed together, at most */
#define FILES_NAME_AVG 64         /* bytes of names per member of a batch */
#define FILES_RING_MIN 8          /* fewer: fstatat() is as quick */

/* One member of the batch: its name (in the batch's names) and what its
 * stat said, kept small (a batch is up to FILES_BATCH of them). */
typedef struct {
    apr_uint32_t off;        /* of the name in names[] */
    apr_uint32_t len;
    int link;                /* a symbolic link itself */
    int err;                 /* errno of its stat, 0: stat'ed */
    apr_filetype_e type;
    apr_off_t size;
    apr_time_t mtime, ctime;
} files_entry;

struct files_list {
    apr_pool_t *pool;
    apr_dir_t *dir;
#ifdef FILES_STATAT
    DIR *d;                  /* the same, as the system has it */
#endif
    apr_finfo_t dirent;      /* what apr_dir_read() fills (no POSIX) */
    char *path;              /* the folder's path and '/', then a member's
                              * name (no POSIX: apr_stat() wants paths) */
    apr_size_t path_len, path_size;
    int ring;                /* MsFilesIOUring */
    int eof;
    const char *carry;       /* a name for the next batch, or NULL */
    int carry_link;
    unsigned int n, next;    /* members in the batch, the next one out */
    apr_size_t names_len;
    unsigned int cap;        /* members per batch */
    apr_size_t names_size;   /* cap * FILES_NAME_AVG bytes */
    files_entry *e;          /* the batch's members */
    char *names;             /* and their names, one after the other */
    files_member out;        /* what ms_files_list_next() hands out */
};

/*
 * The thread's ring
 */

#ifdef FILES_RING
typedef struct {
    int fd;
    unsigned int entries;
    unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned int *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    void *sq_map, *cq_map;
    size_t sq_size, cq_size, sqes_size;
    struct statx sx[FILES_BATCH];   /* the answers of the batch in flight */
} files_ring;

static apr_threadkey_t *ring_key;   /* the thread's files_ring */
static files_ring ring_none;        /* "none for this thread" */
static volatile apr_uint32_t ring_refused;  /* the kernel said no */

/* The kernel refuses io_uring (its answer is the same for every thread):
 * no more rings in this child, and one line saying so, however many
 * threads find out at once. */
static void ring_refuse(request_rec *r, int err, const char *why)
{
    if (apr_atomic_cas32(&ring_refused, 1, 0) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, APR_FROM_OS_ERROR(err), r,
                      "ms_files: io_uring refused, folders are listed with "
                      "one fstatat() per member%s", why);
    }
}

static void ring_free(files_ring *ring)
{
    if (ring->sqes) {
        munmap(ring->sqes, ring->sqes_size);
    }
    if (ring->cq_map && ring->cq_map != ring->sq_map) {
        munmap(ring->cq_map, ring->cq_size);
    }
    if (ring->sq_map) {
        munmap(ring->sq_map, ring->sq_size);
    }
    if (ring->fd >= 0) {
        close(ring->fd);
    }
    free(ring);
}

static void ring_destroy(void *data)    /* the thread ends */
{
    if (data && data != &ring_none) {
        ring_free(data);
    }
}

static void *ring_map(int fd, size_t size, off_t what)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_POPULATE, fd, what);

    return p == MAP_FAILED ? NULL : p;
}

/* A new ring of FILES_BATCH entries; NULL and errno when the kernel
 * refuses. */
static files_ring *ring_make(void)
{
    struct io_uring_params par;
    files_ring *ring = calloc(1, sizeof(*ring));
    char *sq, *cq;
    int err;

    if (!ring) {
        errno = ENOMEM;
        return NULL;
    }
    memset(&par, 0, sizeof(par));
    ring->fd = (int)syscall(SYS_io_uring_setup, FILES_BATCH, &par);
    if (ring->fd < 0) {
        err = errno;
        free(ring);
        errno = err;
        return NULL;
    }
    ring->entries = par.sq_entries;
    ring->sq_size = par.sq_off.array + par.sq_entries * sizeof(unsigned int);
    ring->cq_size = par.cq_off.cqes
                    + par.cq_entries * sizeof(struct io_uring_cqe);
    if (par.features & IORING_FEAT_SINGLE_MMAP) {
        ring->sq_size = ring->cq_size = ring->sq_size > ring->cq_size
                                        ? ring->sq_size : ring->cq_size;
    }
    ring->sq_map = ring_map(ring->fd, ring->sq_size, IORING_OFF_SQ_RING);
    ring->cq_map = !ring->sq_map ? NULL
                   : (par.features & IORING_FEAT_SINGLE_MMAP) ? ring->sq_map
                   : ring_map(ring->fd, ring->cq_size, IORING_OFF_CQ_RING);
    ring->sqes_size = par.sq_entries * sizeof(struct io_uring_sqe);
    ring->sqes = !ring->cq_map ? NULL
                 : ring_map(ring->fd, ring->sqes_size, IORING_OFF_SQES);
    if (!ring->sqes || ring->entries < FILES_BATCH) {
        err = ring->sqes ? EINVAL : errno;
        ring_free(ring);
        errno = err;
        return NULL;
    }
    sq = ring->sq_map;
    cq = ring->cq_map;
    ring->sq_head = (unsigned int *)(sq + par.sq_off.head);
    ring->sq_tail = (unsigned int *)(sq + par.sq_off.tail);
    ring->sq_mask = (unsigned int *)(sq + par.sq_off.ring_mask);
    ring->sq_array = (unsigned int *)(sq + par.sq_off.array);
    ring->cq_head = (unsigned int *)(cq + par.cq_off.head);
    ring->cq_tail = (unsigned int *)(cq + par.cq_off.tail);
    ring->cq_mask = (unsigned int *)(cq + par.cq_off.ring_mask);
    ring->cqes = (struct io_uring_cqe *)(cq + par.cq_off.cqes);
    return ring;
}

/* The calling thread's ring, made on its first call; NULL when it has
 * none (refused, or no key). */
static files_ring *ring_of_thread(request_rec *r)
{
    void *v = NULL;
    files_ring *ring;

    if (!ring_key || ring_refused
        || apr_threadkey_private_get(&v, ring_key) != APR_SUCCESS) {
        return NULL;
    }
    if (v) {
        return v == &ring_none ? NULL : v;
    }
    ring = ring_make();
    if (!ring) {
        int err = errno;

        if (err == ENOSYS || err == EPERM || err == EACCES
            || err == EINVAL) {
            ring_refuse(r, err, "");
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, APR_FROM_OS_ERROR(err), r,
                          "ms_files: no io_uring for this thread, folders "
                          "are listed with one fstatat() per member");
        }
        apr_threadkey_private_set(&ring_none, ring_key);
        return NULL;
    }
    apr_threadkey_private_set(ring, ring_key);
    return ring;
}

/* Ask the kernel for the stat of members [0, l->n) of the batch through
 * @a ring, and wait for every answer.  Returns 0, or -1 when the ring
 * failed (the thread then stops using it; members without an answer keep
 * err = -1, to be stat'ed with fstatat()). */
static int ring_stat_batch(files_ring *ring, files_list *l)
{
    unsigned int i, tail, head, mask, done = 0, sent = 0;
    int dfd = dirfd(l->d);

    tail = *ring->sq_tail;      /* ours alone to write */
    mask = *ring->sq_mask;
    for (i = 0; i < l->n; i++) {
        unsigned int slot = (tail + i) & mask;
        struct io_uring_sqe *sqe = &ring->sqes[slot];

        memset(sqe, 0, sizeof(*sqe));
        sqe->opcode = IORING_OP_STATX;
        sqe->fd = dfd;
        sqe->addr = (apr_uint64_t)(apr_uintptr_t)(l->names + l->e[i].off);
        sqe->len = STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_MTIME
                   | STATX_CTIME;
        sqe->off = (apr_uint64_t)(apr_uintptr_t)&ring->sx[i];
        sqe->statx_flags = 0;          /* follow links, as fstatat(0) */
        sqe->user_data = i;
        ring->sq_array[slot] = slot;
        l->e[i].err = -1;
    }
    __atomic_store_n(ring->sq_tail, tail + l->n, __ATOMIC_RELEASE);

    while (done < l->n) {
        unsigned int to_send = l->n - sent;
        long rc = syscall(SYS_io_uring_enter, ring->fd, to_send,
                          l->n - done, IORING_ENTER_GETEVENTS, NULL, 0);

        if (rc < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY) {
            return -1;
        }
        /* what the kernel took, whatever enter() said */
        sent = l->n - (tail + l->n - __atomic_load_n(ring->sq_head,
                                                     __ATOMIC_ACQUIRE));
        head = *ring->cq_head;
        while (head != __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE)) {
            struct io_uring_cqe *cqe = &ring->cqes[head & *ring->cq_mask];

            if (cqe->user_data < l->n) {
                l->e[cqe->user_data].err = cqe->res < 0 ? -cqe->res : 0;
                done++;
            }
            head++;
        }
        __atomic_store_n(ring->cq_head, head, __ATOMIC_RELEASE);
    }
    return 0;
}

/* The stat of member @a i from the ring's answer; 0 when the ring has no
 * usable one (fstatat() then asks again). */
static int ring_take(files_ring *ring, files_list *l, unsigned int i)
{
    const struct statx *sx = &ring->sx[i];
    const unsigned int need = STATX_TYPE | STATX_SIZE | STATX_MTIME
                              | STATX_CTIME;
    files_entry *e = &l->e[i];

    if (e->err == ENOENT) {
        return 1;            /* vanished, or a dangling link: left out */
    }
    if (e->err != 0 || (sx->stx_mask & need) != need) {
        return 0;
    }
    e->type = S_ISDIR(sx->stx_mode) ? APR_DIR
            : S_ISREG(sx->stx_mode) ? APR_REG : APR_UNKFILE;
    e->size = (apr_off_t)sx->stx_size;
    e->mtime = apr_time_from_sec(sx->stx_mtime.tv_sec)
               + sx->stx_mtime.tv_nsec / 1000;
    e->ctime = apr_time_from_sec(sx->stx_ctime.tv_sec)
               + sx->stx_ctime.tv_nsec / 1000;
    return 1;
}
#endif /* FILES_RING */

void ms_files_list_child_init(apr_pool_t *pchild)
{
#ifdef FILES_RING
    if (apr_threadkey_private_create(&ring_key, ring_destroy, pchild)
        != APR_SUCCESS) {
        ring_key = NULL;     /* fstatat() then */
    }
#else
    (void)pchild;
#endif
}

/*
 * Reading the folder
 */

apr_status_t ms_files_list_open(files_list **lp, const char *fs, int ring,
                                unsigned int batch, apr_pool_t *p)
{
    files_list *l = apr_palloc(p, sizeof(*l));
    apr_size_t len = strlen(fs);
    apr_status_t rv = apr_dir_open(&l->dir, fs, p);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    l->pool = p;
#ifdef FILES_STATAT
    {
        apr_os_dir_t *d;

        l->d = apr_os_dir_get(&d, l->dir) == APR_SUCCESS ? d : NULL;
    }
#endif
    l->path_size = len + 1 + 256 + 1;    /* '/', a name (NAME_MAX), NUL */
    l->path = apr_palloc(p, l->path_size);
    memcpy(l->path, fs, len);
    if (len && fs[len - 1] != '/') {
        l->path[len++] = '/';
    }
    l->path_len = len;
    l->ring = ring;
    l->cap = batch < 1 ? 1 : batch > FILES_BATCH ? FILES_BATCH : batch;
    l->names_size = (apr_size_t)l->cap * FILES_NAME_AVG;
    if (l->names_size < 1024) {
        l->names_size = 1024;   /* room for at least 3 names of NAME_MAX */
    }
    l->e = apr_palloc(p, l->cap * sizeof(*l->e));
    l->names = apr_palloc(p, l->names_size);
    l->eof = 0;
    l->carry = NULL;
    l->n = l->next = 0;
    *lp = l;
    return APR_SUCCESS;
}

void ms_files_list_close(files_list *l)
{
    apr_dir_close(l->dir);
}

/* The next name of the folder, NULL at the end; *link says whether it is
 * a symbolic link.  Where POSIX is there, readdir(): it hands out each
 * name in the open folder's own buffer, where apr_dir_read() copies every
 * name into the folder's pool, which then grows with the folder (1.6 MB
 * for 100,000 files).  (readdir() is safe in threads that read different
 * folders.) */
static const char *list_read(files_list *l, int *link)
{
    apr_status_t rv;

#ifdef FILES_STATAT
    if (l->d) {
        struct dirent *e = readdir(l->d);
        struct stat st;

        if (!e) {
            return NULL;   /* the end (or an error: the listing ends too) */
        }
#ifdef DT_LNK
        if (e->d_type != DT_UNKNOWN) {   /* most file systems say */
            *link = e->d_type == DT_LNK;
            return e->d_name;
        }
#endif
        *link = fstatat(dirfd(l->d), e->d_name, &st, AT_SYMLINK_NOFOLLOW)
                == 0 && S_ISLNK(st.st_mode);
        return e->d_name;
    }
#endif
    rv = apr_dir_read(&l->dirent, APR_FINFO_NAME | APR_FINFO_TYPE, l->dir);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
        return NULL;       /* APR_ENOENT: the end */
    }
    *link = (l->dirent.valid & APR_FINFO_TYPE)
            && l->dirent.filetype == APR_LNK;
    return l->dirent.name;
}

/* The stat of member @a i of the batch, one call: fstatat() relative to
 * the open folder where POSIX is there, else apr_stat() of its path.
 * mtime and ctime get their microseconds as APR gives them: getetag must
 * equal the ETag of a GET. */
static void list_stat_one(files_list *l, unsigned int i)
{
    files_entry *e = &l->e[i];
    const char *name = l->names + e->off;
#ifdef FILES_STATAT
    struct stat st;

    if (l->d) {
        if (fstatat(dirfd(l->d), name, &st, 0) != 0) {
            e->err = errno ? errno : ENOENT;
            return;
        }
        e->err = 0;
        e->type = S_ISDIR(st.st_mode) ? APR_DIR
                : S_ISREG(st.st_mode) ? APR_REG : APR_UNKFILE;
        e->size = st.st_size;
        e->mtime = apr_time_from_sec(st.st_mtime) + st.st_mtim.tv_nsec / 1000;
        e->ctime = apr_time_from_sec(st.st_ctime) + st.st_ctim.tv_nsec / 1000;
        return;
    }
#endif
    {
        apr_finfo_t fi;
        apr_status_t rv;

        memcpy(l->path + l->path_len, name, e->len + 1);
        rv = apr_stat(&fi, l->path, FILES_FINFO, l->pool);
        if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) {
            e->err = rv ? (int)rv : -1;
            return;
        }
        e->err = 0;
        e->type = fi.filetype;
        e->size = fi.size;
        e->mtime = fi.mtime;
        e->ctime = fi.ctime;
    }
}

/* Read the next batch of members (without ".", ".." and FILES_HIDDEN)
 * and stat them all. */
static void list_fill(files_list *l, request_rec *r)
{
    const char *name;
    apr_size_t len;
    unsigned int i;
    int link;
#ifdef FILES_RING
    files_ring *ring = NULL;
#endif

    l->n = l->next = 0;
    l->names_len = 0;
    while (l->n < l->cap) {
        if (l->carry) {      /* the name that did not fit last time */
            name = l->carry;
            link = l->carry_link;
            l->carry = NULL;
        }
        else if ((name = list_read(l, &link)) == NULL) {
            break;
        }
        else if (name[0] == '.' && (!name[1] || !strcmp(name, "..")
                                    || !strcmp(name, FILES_HIDDEN))) {
            continue;
        }
        len = strlen(name);
        if (len + 1 > l->names_size) {
            continue;        /* no system has names of 1 KB */
        }
        if (len + 1 > l->names_size - l->names_len) {
            /* longer than NAME_MAX (255 on Linux), and no room left: it
             * opens the next batch */
            l->carry = apr_pstrmemdup(l->pool, name, len);
            l->carry_link = link;
            break;
        }
        memcpy(l->names + l->names_len, name, len + 1);
        l->e[l->n].off = (apr_uint32_t)l->names_len;
        l->e[l->n].len = (apr_uint32_t)len;
        l->e[l->n].link = link;
        l->names_len += len + 1;
        l->n++;
        if (l->names_len + 256 > l->names_size) {
            break;           /* a usual name might not fit */
        }
    }
    if (l->n == 0) {
        l->eof = 1;
        return;
    }
#ifdef FILES_RING
    if (l->ring && l->d && l->n >= FILES_RING_MIN) {
        ring = ring_of_thread(r);
    }
    if (ring && ring_stat_batch(ring, l) != 0) {
        /* the ring broke mid-batch (it should not): the thread stops
         * using it; answers still in flight may yet be written into it,
         * so it is kept, not freed */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, APR_FROM_OS_ERROR(errno), r,
                      "ms_files: io_uring_enter() failed, this thread now "
                      "lists folders with fstatat()");
        apr_threadkey_private_set(&ring_none, ring_key);
        ring = NULL;
    }
    if (ring && l->e[0].err == EINVAL) {
        unsigned int einval = 0;

        for (i = 0; i < l->n; i++) {
            einval += l->e[i].err == EINVAL;
        }
        if (einval == l->n) {
            /* a kernel with io_uring but without its statx (5.1 to 5.5):
             * the batch is stat'ed again below, and no more rings */
            ring_refuse(r, EINVAL, " (the kernel has no IORING_OP_STATX)");
        }
    }
    for (i = 0; i < l->n; i++) {
        if (!ring || !ring_take(ring, l, i)) {
            list_stat_one(l, i);
        }
    }
#else
    (void)r;
    for (i = 0; i < l->n; i++) {
        list_stat_one(l, i);
    }
#endif
}

const files_member *ms_files_list_next(files_list *l, request_rec *r)
{
    for (;;) {
        files_entry *e;

        if (l->next == l->n) {
            if (l->eof) {
                return NULL;
            }
            list_fill(l, r);
            if (l->eof) {
                return NULL;
            }
        }
        e = &l->e[l->next++];
        if (e->err) {
            continue;        /* vanished since the read, or dangling */
        }
        memset(&l->out.fi, 0, sizeof(l->out.fi));
        l->out.fi.pool = l->pool;
        l->out.fi.valid = FILES_FINFO;
        l->out.fi.filetype = e->type;
        l->out.fi.size = e->size;
        l->out.fi.mtime = e->mtime;
        l->out.fi.ctime = e->ctime;
        l->out.name = l->names + e->off;
        l->out.len = e->len;
        l->out.link = e->link;
        return &l->out;
    }
}
