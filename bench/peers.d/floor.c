/*
 * floor.c: the least work any PROPFIND Depth 1 of a folder must do, in one
 * process: read the folder and stat each member once.  Two ways:
 *
 *     floor DIR            one fstatat() per member, relative to the open
 *                          folder: what nginx, lighttpd and mod_dav_fs do
 *     floor DIR ring       the members' names 256 at a time, stat'ed
 *                          together through io_uring (liburing): what
 *                          examples/mod_ms_files.c does on Linux
 *
 * It prints the number of members, the wall and CPU time of the walk in
 * seconds, and the sum of the sizes read:
 *
 *     floor DIR            ->  "10000 0.004172 0.004100 0"
 *
 * bench/peers adds the time of a static GET of the same 207 body to the
 * faster walk (the bytes must still be sent): that sum is the floor a
 * server is compared to.  (The ring's own setup, about 100 us, is left out:
 * a server makes it once per thread.)
 */
#define _GNU_SOURCE 1

#include <dirent.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BATCH 256

static double now(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Stat names[0..k) of the folder @a dfd through @a ring; -1 on an error. */
static int ring_batch(struct io_uring *ring, int dfd, char (*names)[256],
                      struct statx *sx, unsigned int k, unsigned long *bytes)
{
    struct io_uring_cqe *cqe;
    unsigned int i, head, seen = 0;

    for (i = 0; i < k; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

        io_uring_prep_statx(sqe, dfd, names[i], 0,
                            STATX_TYPE | STATX_SIZE | STATX_MTIME
                            | STATX_CTIME, &sx[i]);
        sqe->user_data = i;
    }
    if (io_uring_submit_and_wait(ring, k) < 0) {
        return -1;
    }
    while (seen < k) {
        unsigned int got = 0;

        io_uring_for_each_cqe(ring, head, cqe) {
            if (cqe->res < 0) {
                fprintf(stderr, "statx %s: %s\n", names[cqe->user_data],
                        strerror(-cqe->res));
                return -1;
            }
            *bytes += (unsigned long)sx[cqe->user_data].stx_size;
            got++;
        }
        io_uring_cq_advance(ring, got);
        seen += got;
        if (seen < k && io_uring_wait_cqe(ring, &cqe) < 0) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    DIR *d;
    struct dirent *e;
    struct stat st;
    unsigned long n = 0, bytes = 0;
    double t0, t1, c0, c1;
    int use_ring = argc == 3 && !strcmp(argv[2], "ring");
    struct io_uring ring;
    static char names[BATCH][256];
    static struct statx sx[BATCH];
    unsigned int k = 0;

    if (argc != 2 && !use_ring) {
        fprintf(stderr, "usage: floor DIR [ring]\n");
        return 2;
    }
    if (use_ring && io_uring_queue_init(BATCH, &ring, 0) < 0) {
        fprintf(stderr, "floor: io_uring refused\n");
        return 1;
    }
    c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    t0 = now(CLOCK_MONOTONIC);
    if (!(d = opendir(argv[1]))) {
        perror(argv[1]);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        if (use_ring) {
            snprintf(names[k++], sizeof(names[0]), "%s", e->d_name);
            n++;
            if (k == BATCH) {
                if (ring_batch(&ring, dirfd(d), names, sx, k, &bytes) != 0) {
                    closedir(d);
                    return 1;
                }
                k = 0;
            }
            continue;
        }
        if (fstatat(dirfd(d), e->d_name, &st, 0) != 0) {
            perror(e->d_name);
            closedir(d);
            return 1;
        }
        n++;
        bytes += (unsigned long)st.st_size;   /* use what was read */
    }
    if (k && ring_batch(&ring, dirfd(d), names, sx, k, &bytes) != 0) {
        closedir(d);
        return 1;
    }
    closedir(d);
    t1 = now(CLOCK_MONOTONIC);
    c1 = now(CLOCK_PROCESS_CPUTIME_ID);
    printf("%lu %.6f %.6f %lu\n", n, t1 - t0, c1 - c0, bytes);
    return 0;
}
