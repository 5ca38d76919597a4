/*
 * test_assert.h — the C tests' minimal assertions. A failing assertion prints
 * where and why, then returns 1 from the test function.
 */
#ifndef PIPC_TEST_ASSERT_H
#define PIPC_TEST_ASSERT_H

#include <stdio.h>
#include <string.h>

#include "polyipc.h"

/* Exit status of a skipped test (also ctest's SKIP_RETURN_CODE). */
#define TEST_SKIP 77

#define TEST_FAIL_(...)                                                                            \
    do {                                                                                           \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                                          \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        return 1;                                                                                  \
    } while (0)

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) TEST_FAIL_("assertion failed: %s", #cond);                                    \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) TEST_FAIL_("%s == %s failed: %lld != %lld", #a, #b, a_, b_);                 \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                        \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                                       \
            TEST_FAIL_("%s == %s failed: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)",            \
                       b_ ? b_ : "(null)");                                                        \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                                               \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (h_ == NULL || strstr(h_, n_) == NULL)                                                  \
            TEST_FAIL_("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_);                  \
    } while (0)

/* expr must return PIPC_OK. */
#define ASSERT_OK(expr)                                                                            \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != PIPC_OK)                                                                        \
            TEST_FAIL_("%s failed: %s (%d): %s", #expr, pipc_error_name(rc_) ? pipc_error_name(rc_) : "?", \
                       rc_, pipc_error_last()->message);                                           \
    } while (0)

/* expr must fail with `want_`; the recorded detail must agree, carry a
 * message, and (when want_errno_ >= 0) carry that errno. */
#define ASSERT_FAILS(expr, want_, want_errno_)                                                           \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        const pipc_error_t *e_ = pipc_error_last();                                                \
        if (rc_ != (want_))                                                                         \
            TEST_FAIL_("%s returned %d (%s), expected %s; message: %s", #expr, rc_,                \
                       pipc_error_name(rc_) ? pipc_error_name(rc_) : "?", #want_, e_->message);     \
        if (e_->code != (want_)) TEST_FAIL_("%s: recorded code %d != %s", #expr, e_->code, #want_);  \
        if (e_->message[0] == '\0') TEST_FAIL_("%s: empty error message", #expr);                  \
        if ((want_errno_) >= 0 && e_->sys_errno != (want_errno_))                                            \
            TEST_FAIL_("%s: errno %d (%s) != %s", #expr, e_->sys_errno, strerror(e_->sys_errno),   \
                       #want_errno_);                                                                   \
    } while (0)

#define ASSERT_INVALID(expr) ASSERT_FAILS(expr, PIPC_E_INVALID_ARGUMENT, 0)

#endif
