/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_ms_files.h: what the two files of the mod_ms_files example share.
 *
 *   mod_ms_files.c     configuration, URL -> file, the handler, the walk
 *                      of a folder
 *   ms_files_list.c    a folder's members with their file info (read and
 *                      stat'ed in batches, through io_uring on Linux)
 *   ms_files_props.c   one resource's response: which properties were
 *                      asked for, their values and how they are formatted
 *
 * Not a public header: nothing outside the example includes it.
 */

#ifndef MOD_MS_FILES_H
#define MOD_MS_FILES_H

#include "httpd.h"
#include "apr_file_info.h"

#include "mod_multistatus.h"

/* Functions one file of the module calls in the other.  A module's .so is
 * loaded into httpd with its global symbols visible to every other module:
 * with GCC and clang they are kept out of that global namespace. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define FILES_LOCAL __attribute__((visibility("hidden")))
#else
#define FILES_LOCAL
#endif

/* What we stat; APR_FINFO_CTIME for creationdate. */
#define FILES_FINFO (APR_FINFO_TYPE | APR_FINFO_SIZE | APR_FINFO_MTIME \
                     | APR_FINFO_CTIME)

/* A date as a property value, and the second it stands for.  Members of a
 * folder share their day, and often their second (files written
 * together): each date is formatted once per second, its calendar part
 * once per day, not once per file (see files_date_of()). */
#define FILES_DATE_LEN 32    /* "Tue, 15 Nov 1994 12:45:26 GMT" (and
                              * APR_RFC822_DATE_LEN), ISO 8601 of odd years */
typedef struct {
    apr_int64_t sec;         /* second of the time in text (APR_INT64_MIN:
                              * none yet) */
    apr_int64_t day;         /* day of its date part (APR_INT64_MIN: none) */
    char text[FILES_DATE_LEN];
} files_date;
#define FILES_DATE_SLOTS 16  /* the last seconds seen, of each kind */

/* One PROPFIND request */
typedef struct {
    request_rec *r;
    const char *base;     /* the request-URI, ending in '/' for a folder */
    const ms_propfind *pf;
    unsigned int wanted;  /* FP() bits of the properties to report */
    int names_only;       /* propname: the module drops values anyway */
    int type_cache;       /* MsFilesTypeCache (see files_type_of()) */
    int io_uring;         /* MsFilesIOUring (see ms_files_list.c) */
    int stop;             /* the module said stop (limit, client gone) */
    files_date modified[FILES_DATE_SLOTS];   /* getlastmodified, by second */
    files_date created[FILES_DATE_SLOTS];    /* creationdate, by second */
#define FILES_NPROPS 9
    const ms_qname *qname[FILES_NPROPS];     /* the wanted names, checked */
} files_ctx;

/* A folder open for listing (ms_files_list.c), and one of its members:
 * its name (@a len bytes, NUL-terminated), whether it is a symbolic link
 * itself, and the file info (FILES_FINFO) of its target.  Valid until the
 * next call. */
typedef struct files_list files_list;
typedef struct {
    const char *name;
    apr_size_t len;
    int link;
    apr_finfo_t fi;
} files_member;

/* Once per child: the threads' io_uring rings are kept under a key made
 * in @a pchild. */
FILES_LOCAL void ms_files_list_child_init(apr_pool_t *pchild);

/* Open the folder @a fs for listing, in @a p; @a ring: stat the members
 * through io_uring where the system allows (MsFilesIOUring); @a batch:
 * members read and stat'ed together (at most 256; each costs about 110
 * bytes of @a p while the folder is open). */
FILES_LOCAL apr_status_t ms_files_list_open(files_list **l, const char *fs,
                                            int ring, unsigned int batch,
                                            apr_pool_t *p);

/* The next member, in directory order, NULL at the end.  ".", ".." and
 * ".DAV" (mod_dav_fs' state folder) are never listed; nor are members
 * that vanished since the read, or links whose target is not there. */
FILES_LOCAL const files_member *ms_files_list_next(files_list *l,
                                                   request_rec *r);

FILES_LOCAL void ms_files_list_close(files_list *l);

/* A folder's content-type cache (MsFilesTypeCache), in its pool @a p. */
typedef struct files_types files_types;
FILES_LOCAL files_types *ms_files_types_make(apr_pool_t *p);

/* Fill @a ctx for the PROPFIND @a pf of @a r: which properties to compute
 * (asked once per request, not once per entry). */
FILES_LOCAL void ms_files_ctx_init(files_ctx *ctx, request_rec *r,
                                   const ms_propfind *pf, int type_cache);

/* Report the resource at @a path (unescaped; absolute, or relative to the
 * request-URI; a collection's ends in '/'), of file info @a fi (FILES_FINFO),
 * named @a name, and close its response at once: it is rendered (and, past
 * MultiStatusBufferSize, sent) now, and its memory freed.  @a types: the
 * folder's content-type cache (NULL for none).  Returns what
 * ms_response_open() said; ctx->stop tells the walk to end. */
FILES_LOCAL apr_status_t ms_files_report(files_ctx *ctx, const char *path,
                                         const char *name,
                                         const apr_finfo_t *fi,
                                         files_types *types);

#endif /* MOD_MS_FILES_H */
