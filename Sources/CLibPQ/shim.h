#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#if __has_include(<libpq-fe.h>)          /* pkg-config put -I/usr/include/postgresql on the path */
#include <libpq-fe.h>
#else                                    /* no pkg-config: Debian's sub-directory */
#include <postgresql/libpq-fe.h>
#endif
#include <poll.h>

/* PG_DIAG_* are char-literal macros that Swift does not import: re-export them. */
static const int CLIBPQ_DIAG_SEVERITY_NONLOCALIZED = PG_DIAG_SEVERITY_NONLOCALIZED;
static const int CLIBPQ_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int CLIBPQ_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int CLIBPQ_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int CLIBPQ_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int CLIBPQ_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;
static const int CLIBPQ_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
#endif
