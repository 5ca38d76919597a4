/*
 * polyipc.i — THE SWIG interface of polyipc: one file generates the Python,
 * Ruby and Perl modules from the C core (core/include/polyipc.h).
 *
 * Layout (banner-separated, like libsolv's bindings/solv.i):
 *   1. header           the C declarations every wrapper sees
 *   2. language layer   swig/<lang>/binding.swg: how THIS language converts
 *                       integers, keys, timeouts and bytes, raises the
 *                       taxonomy's errors, releases its interpreter lock and
 *                       runs its signal handlers. Each provides the contract
 *                       listed below; nothing in it interprets errno or
 *                       checks ranges (the core does).
 *   3. objects          semaphore.swg, shared_memory.swg, message_queue.swg:
 *                       the classes, written once for all languages.
 *   4. idioms           swig/<lang>/idioms.swg: what one language adds
 *                       (context managers, blocks, named arguments ...).
 *
 * Contract a language layer provides (used by the common object files):
 *   - %typemap(in) int64_t        a language integer -> int64_t, never truncated
 *                                 (non-integer: WrongTypeError; > int64: InvalidArgumentError)
 *   - %typemap(in) int64_t key    same, plus None/nil/undef -> PIPC_KEY_RANDOM
 *   - %typemap(in) double *timeout   None/nil/undef -> PIPC_FOREVER, a number ->
 *                                 seconds; points at a local the retry loop reuses
 *   - %typemap(out) pipc_status_t raise the thread's last error when < 0, else
 *                                 return nothing (None/nil/empty list)
 *   - PIPC_RAISE_LAST             statement that raises the thread's last error
 *   - PIPC_CHECK_SIGNALS          statement run between retries of an interrupted
 *                                 call: runs the language's signal handlers, which
 *                                 may raise
 *   - pipc_lang_init()            called once from %init (exception classes,
 *                                 blocking runner)
 *
 * Generated wrappers are never committed; CMake generates them at build time.
 */
%module polyipc

/* ================================================================== */
/* 1. header                                                           */
/* ================================================================== */
%{
#include "polyipc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Status-returning wrapper functions: < 0 raises, PIPC_OK returns nothing. */
typedef int pipc_status_t;
%}
typedef int pipc_status_t;
/* Linux on 64-bit targets is LP64: int64_t is `long` there, as in <stdint.h>. */
#if !defined(SWIGWORDSIZE32)
#define SWIGWORDSIZE64
#endif
%include <stdint.i>

/*
 * Hot paths: the default %exception (below) costs two thread-local look-ups
 * per call. A call that reports failure through its own result needs neither,
 * because the core records an error whenever it fails (and only then):
 *   PIPC_NOFAIL(name)     struct members read or written in place: cannot fail
 *   PIPC_BY_STATUS(name)  pipc_status_t methods: a result < 0 raises
 *   PIPC_ATTRIBUTE(type, attr)  attributes whose accessors (PIPC_ATTR_STATUS
 *                         below) store the core's status in the wrapper's local
 *                         `pipc_status`: < 0 raises. It also expands the
 *                         language layer's PIPC_LANG_ATTRIBUTE(type, attr)
 *                         hook (empty unless the layer defines it; Python
 *                         makes a direct getter from it)
 * The object files mark their names; a language layer may override a name
 * (e.g. detach, which also checks for live views) by not being marked here.
 */
%define PIPC_NOFAIL(name)
%exception name "$action"
%enddef
%define PIPC_BY_STATUS(name)
%exception name {
    $action
    if (result < 0) { PIPC_RAISE_LAST; }
}
%enddef
%define PIPC_ATTRIBUTE(type, attr)
%exception type::attr {
    int pipc_status = PIPC_OK;
    $action
    if (pipc_status < 0) { PIPC_RAISE_LAST; }
}
PIPC_LANG_ATTRIBUTE(type, attr)
%enddef
%{
/* An attribute accessor's status: SWIG calls `<type>_<attr>_get(self)` and
 * `<type>_<attr>_set(self, value)`; the object files define these as macros
 * that pass PIPC_ATTR_STATUS to the core call, so the status lands in the
 * wrapper's local declared by PIPC_ATTRIBUTE. */
#define PIPC_ATTR_STATUS (&pipc_status)
%}

/* ================================================================== */
/* 2. language layer                                                   */
/* ================================================================== */
#if defined(SWIGPYTHON)
%include "python/binding.swg"
#elif defined(SWIGRUBY)
%include "ruby/binding.swg"
#elif defined(SWIGPERL)
%include "perl/binding.swg"
#else
#error "polyipc.i supports Python, Ruby and Perl"
#endif
#ifndef PIPC_LANG_ATTRIBUTE
%define PIPC_LANG_ATTRIBUTE(type, attr)
%enddef
#endif

%init %{
    pipc_lang_init(SWIG_PIPC_INIT_ARGS);
%}

/*
 * Every other wrapper (constructors, destructors, methods returning data)
 * clears the thread's error before the call and raises it if the call left
 * one. A successful core call never leaves an error recorded, and a failing
 * one always does (tested in tests/c).
 */
%exception {
    pipc_error_clear();
    $action
    if (pipc_error_last()->code != PIPC_OK) { PIPC_RAISE_LAST; }
}

/*
 * Calls that can block make one attempt in the core and return
 * PIPC_E_INTERRUPTED on EINTR; here the language runs its signal handlers
 * (which may raise) and the call is retried with what is left of its timeout.
 */
%define PIPC_BLOCKING(name)
%exception name {
    for (;;) {
        $action
        if (result != PIPC_E_INTERRUPTED) break;
        PIPC_CHECK_SIGNALS;
    }
    if (result < 0) { PIPC_RAISE_LAST; }
}
%enddef

/* ================================================================== */
/* 3. objects                                                          */
/* ================================================================== */
%include "constants.swg"
%include "semaphore.swg"
%include "semaphore_set.swg"
%include "shared_memory.swg"
%include "message_queue.swg"
%include "module_functions.swg"
%include "inspect.swg"

/* ================================================================== */
/* 4. idioms                                                           */
/* ================================================================== */
#if defined(SWIGPYTHON)
%include "python/idioms.swg"
#elif defined(SWIGRUBY)
%include "ruby/idioms.swg"
#elif defined(SWIGPERL)
%include "perl/idioms.swg"
#endif
