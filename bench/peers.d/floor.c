/*
 * floor.c: the least work any PROPFIND Depth 1 of a folder must do, in one
 * process: read the folder and stat each member once, relative to the open
 * folder (fstatat), which is what every server in bench/peers does.  It
 * prints the number of members and the time the walk took, in seconds:
 *
 *     floor DIR            ->  "10000 0.004172"
 *
 * bench/peers adds the time of a static GET of the same 207 body to it (the
 * bytes must still be sent): that sum is the floor a server is compared to.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    DIR *d;
    struct dirent *e;
    struct stat st;
    unsigned long n = 0, bytes = 0;
    double t0, t1, c0, c1;

    if (argc != 2) {
        fprintf(stderr, "usage: floor DIR\n");
        return 2;
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
        if (fstatat(dirfd(d), e->d_name, &st, 0) != 0) {
            perror(e->d_name);
            closedir(d);
            return 1;
        }
        n++;
        bytes += (unsigned long)st.st_size;   /* use what was read */
    }
    closedir(d);
    t1 = now(CLOCK_MONOTONIC);
    c1 = now(CLOCK_PROCESS_CPUTIME_ID);
    printf("%lu %.6f %.6f %lu\n", n, t1 - t0, c1 - c0, bytes);
    return 0;
}
