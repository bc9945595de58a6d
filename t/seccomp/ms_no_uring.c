/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_no_uring.c: run a program where the kernel refuses io_uring, as a
 * container's seccomp filter does (Docker's default profile, systemd's
 * SystemCallFilter=~io_uring_setup):
 *
 *     ms_no_uring PROGRAM [ARG...]
 *
 * installs a seccomp filter under which io_uring_setup() fails with EPERM,
 * then executes PROGRAM; its children inherit the filter.  Every other
 * system call is allowed.  t/files_batch.t starts a private httpd through
 * it, to check that examples/mod_ms_files.c then lists folders with
 * fstatat(), says so once, and answers the same bytes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

int main(int argc, char **argv)
{
    struct sock_filter filter[] = {
#ifdef NATIVE_ARCH
        /* another ABI (x32, a 32-bit binary): allowed, untouched */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {
        (unsigned short)(sizeof(filter) / sizeof(filter[0])), filter
    };

    if (argc < 2) {
        fprintf(stderr, "usage: ms_no_uring PROGRAM [ARG...]\n");
        return 2;
    }
    /* no_new_privs: what lets an unprivileged process install a filter */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
        || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("ms_no_uring: seccomp");
        return 1;
    }
    execv(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
