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
 *   - %typemap(out) pipc_status_t return nothing (None/nil/empty list); a
 *                                 status < 0 never gets there: the failure
 *                                 rule raises first (see "Failure rules")
 *   - PIPC_LANG_CONSTRUCTOR_NAME  the C string naming the language's constructor
 *                                 (in PIPC_NOT_INITIALISED_MESSAGE)
 *   - PIPC_RAISE_LAST             statement that raises the thread's last error
 *   - PIPC_CHECK_SIGNALS          statement run between retries of an interrupted
 *                                 call: runs the language's signal handlers, which
 *                                 may raise
 *   - PIPC_SIGNAL_STATE           declarations PIPC_CHECK_SIGNALS uses, made once
 *                                 before the first attempt (may be empty)
 *   - pipc_lang_init()            called once from %init (exception classes,
 *                                 blocking runner)
 *   - pipc_lang_bytes_t           the language string that read/receive make, and
 *                                 its hooks (static inline, so the one bodies
 *                                 pipc_shm_read_bytes / pipc_msg_receive_bytes
 *                                 in the object files compile to straight-line
 *                                 code; see "byte results" below)
 *
 * Generated wrappers are never committed; CMake generates them at build time.
 */
%module polyipc

/* ================================================================== */
/* 1. header                                                           */
/* ================================================================== */
%{
#include "polyipc.h"
#include "polyipc/sys/binding.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Status-returning wrapper functions: < 0 raises, PIPC_OK returns nothing. */
typedef int pipc_status_t;

/* The message of WrongTypeError for a method or attribute of an object whose
 * constructor never ran (Python's cls.__new__(cls), Ruby's allocate, Perl's
 * bless): one wording in every language, naming the language's constructor
 * (PIPC_LANG_CONSTRUCTOR_NAME, from the language layer). */
#define PIPC_NOT_INITIALISED_MESSAGE \
    "the object is not initialised (its " PIPC_LANG_CONSTRUCTOR_NAME " was not called)"

/* A name argument (an object kind, an owner) of `len` bytes at `s`: the core
 * reads a name up to its first NUL, so "sem\0x" would be "sem". PIPC_OK, or
 * INVALID_ARGUMENT recorded ("<what> contains a NUL byte") and returned. Every
 * language's name conversion calls it. */
static int pipc_name_check(const char *what, const char *s, size_t len) {
    if (s != NULL && memchr(s, '\0', len) != NULL)
        return pipc_error_set(PIPC_E_INVALID_ARGUMENT, 0, "%s contains a NUL byte", what);
    return PIPC_OK;
}
%}
typedef int pipc_status_t;
/* Linux on 64-bit targets is LP64: int64_t is `long` there, as in <stdint.h>. */
#if !defined(SWIGWORDSIZE32)
#define SWIGWORDSIZE64
#endif
%include <stdint.i>

/*
 * Failure rules: every wrapper is marked with the one rule its C signature
 * states, and the rule decides from the call's own result, never from the
 * thread's error record (which may hold an error recorded by a call that
 * failed earlier in the thread, or by an interrupted attempt of a call that
 * then succeeded). The record only gives the raised error its kind and
 * message: the core records an error whenever it fails (and only then).
 * A wrapper without a rule does not compile (the %exception after section 2).
 *   PIPC_BY_STATUS(name)  pipc_status_t results: < 0 raises
 *   PIPC_BY_NULL(name)    a pointer (a new handle, a new string): NULL raises
 *   PIPC_BY_OUT_STATUS(name)  a value that can fail: the call stores the
 *                         core's status in the wrapper's local `pipc_status`
 *                         (through PIPC_ATTR_STATUS): < 0 raises
 *   PIPC_NOFAIL(name)     cannot fail (members read or written in place,
 *                         PIPC_MEMBER_RO/RW below; the description)
 *   PIPC_BLOCKING(name)   pipc_status_t calls that can block: retried after
 *                         EINTR (below the language layer), < 0 raises
 *   PIPC_CONSTRUCTOR(type)     the constructor: the language hook
 *                         PIPC_LANG_CONSTRUCTOR(type), PIPC_BY_NULL by default
 *   PIPC_DESTRUCTOR(type, rule)  the destructor ~type; rule NOFAIL:
 *                         delete_<type> returns void and cannot fail;
 *                         BY_STATUS: it frees the handle and returns the
 *                         core's status of what it undid first (< 0 raises).
 *                         The language hooks PIPC_LANG_DESTROYING(type) and
 *                         PIPC_LANG_DESTROYED run before and after it (Perl:
 *                         its views, the destroyed object's pointer)
 *   PIPC_UNMAPS(name, what)    attach/detach, which unmap a segment: the
 *                         hook PIPC_LANG_UNMAPS(name, what) (Python and Perl
 *                         first check/invalidate their views), PIPC_BY_STATUS
 *                         by default
 *   PIPC_ATTRIBUTE(type, attr, writable)  attributes: PIPC_BY_OUT_STATUS, and
 *                         the language layer's PIPC_LANG_ATTRIBUTE(type, attr,
 *                         writable) hook (empty unless the layer defines it;
 *                         Python makes a direct getter from it)
 * The object files mark their names; a language layer marks its own wrappers
 * with these or with its own rule of the same kind (Python's PIPC_PY_BY_NULL:
 * NULL raises, keeping a Python exception already set).
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
%define PIPC_BY_NULL(name)
%exception name {
    $action
    if (!result) { PIPC_RAISE_LAST; }
}
%enddef
%define PIPC_BY_OUT_STATUS(name)
%exception name {
    int pipc_status = PIPC_OK;
    $action
    if (pipc_status < 0) { PIPC_RAISE_LAST; }
}
%enddef
%define PIPC_DESTRUCTOR_NOFAIL(type)
%exception type::~type {
    PIPC_LANG_DESTROYING(type)
    $action
    PIPC_LANG_DESTROYED
}
%enddef
/* The action of a destructor is the statement that calls delete_<type>: a
 * GNU statement expression makes the call's result the status. */
%define PIPC_DESTRUCTOR_BY_STATUS(type)
%exception type::~type {
    PIPC_LANG_DESTROYING(type)
    int pipc_status = ({ $action });
    PIPC_LANG_DESTROYED
    if (pipc_status < 0) { PIPC_RAISE_LAST; }
}
%enddef
%define PIPC_DESTRUCTOR(type, rule)
PIPC_DESTRUCTOR_ ## rule(type)
%enddef
/*
 * The class of a handle type: PIPC_CLASS(type, Name), first in its object
 * file, names it Name in every language, defines the C string
 * PIPC_CLASS_NAME_<type> = "Name" and expands the language hook
 * PIPC_LANG_CLASS(type) (Python: the type is finished at import; Ruby: the
 * receiver check of its methods).
 */
%define PIPC_CLASS(type, name)
%rename(name) type;
%{
static const char PIPC_CLASS_NAME_ ## type[] __attribute__((unused)) = #name;
%}
PIPC_LANG_CLASS(type)
%enddef
%define PIPC_ATTRIBUTE(type, attr, writable)
PIPC_BY_OUT_STATUS(type::attr)
PIPC_LANG_ATTRIBUTE(type, attr, writable)
%enddef
/*
 * The attribute table of an object: one line per attribute, in its object
 * file. Each line makes the accessor SWIG calls (<type>_<attr>_get/_set, a
 * macro passing PIPC_ATTR_STATUS, inlined into the wrapper), marks it
 * PIPC_ATTRIBUTE (status decides; the language hook PIPC_LANG_ATTRIBUTE
 * makes Python's direct getter and Perl's accessor methods), and declares the
 * %extend member, so adding an attribute is one line plus its docs:
 *   PIPC_ATTR_RO(type, attr, get)       read-only
 *   PIPC_ATTR_RW(type, attr, get, set)  with a setter (Perl: set_<attr>)
 * `get` is a C expression of the handle `s` and `status` (int *, to store the
 * core's status) giving an int64_t; `set` an expression of `s` and the value
 * `v` giving a core status. pipc_<kind>_info(s, status) is the IPC_STAT of
 * the handle (zeros when it fails), for the attributes that read it.
 */
%define PIPC_ATTR_ACCESSOR(type, attr, get, writable)
%{
static inline int64_t type ## _ ## attr ## _read(type *s, int *status) { return (int64_t)(get); }
#define type ## _ ## attr ## _get(s) type ## _ ## attr ## _read((s), PIPC_ATTR_STATUS)
%}
PIPC_ATTRIBUTE(type, attr, writable)
%enddef
%define PIPC_ATTR_RO(type, attr, get)
PIPC_ATTR_ACCESSOR(type, attr, get, 0)
%extend type { %immutable; int64_t attr; %mutable; }
%enddef
%define PIPC_ATTR_RW(type, attr, get, set)
PIPC_ATTR_ACCESSOR(type, attr, get, 1)
%{
static inline int type ## _ ## attr ## _write(type *s, int64_t v) { return (set); }
#define type ## _ ## attr ## _set(s, v) (*PIPC_ATTR_STATUS = type ## _ ## attr ## _write((s), (v)))
%}
%extend type { int64_t attr; }
%enddef
/*
 * The members of an object, read (block and undo also written) in place from
 * the handle: one line per member, in the object file's member table. Each
 * line makes SWIG's accessor (<type>_<attr>_get, and _set, inlined), marks it
 * PIPC_NOFAIL, declares the %extend member, and expands the language hook
 * PIPC_LANG_MEMBER(type, ctype, attr, writable) (Python: a direct getter;
 * Perl: the accessor `attr`, and `set_attr` when writable):
 *   PIPC_MEMBER_RO(type, ctype, attr, get)  get: a C expression of the handle `s`
 *   PIPC_MEMBER_RW(type, ctype, attr)       the field s->attr
 * ctype is one of int32_t, int, bool, size_t, uint64_t (the types the
 * language hooks convert).
 */
%define PIPC_MEMBER_ACCESSOR(type, ctype, attr, get, writable)
%{
static inline ctype type ## _ ## attr ## _get(type *s) { return (ctype)(get); }
%}
PIPC_NOFAIL(type::attr)
PIPC_LANG_MEMBER(type, ctype, attr, writable)
%enddef
%define PIPC_MEMBER_RO(type, ctype, attr, get)
PIPC_MEMBER_ACCESSOR(type, ctype, attr, get, 0)
%extend type { %immutable; ctype attr; %mutable; }
%enddef
%define PIPC_MEMBER_RW(type, ctype, attr)
PIPC_MEMBER_ACCESSOR(type, ctype, attr, s->attr, 1)
%{
static inline void type ## _ ## attr ## _set(type *s, ctype v) { s->attr = v; }
%}
%extend type { ctype attr; }
%enddef
%{
#define PIPC_INFO_OF(kind)                                                                         \
    static inline pipc_##kind##_info_t pipc_##kind##_info(const pipc_##kind##_t *h, int *status) { \
        pipc_##kind##_info_t info = { 0 };                                                         \
        *status = pipc_##kind##_stat(h, &info);                                                    \
        return info;                                                                               \
    }
PIPC_INFO_OF(sem)
PIPC_INFO_OF(shm)
PIPC_INFO_OF(msg)
%}
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
#ifndef PIPC_LANG_CONSTRUCTOR
%define PIPC_LANG_CONSTRUCTOR(type)
PIPC_BY_NULL(type::type)
%enddef
#endif
#ifndef PIPC_LANG_DESTROYING
%define PIPC_LANG_DESTROYING(type)
%enddef
#endif
#ifndef PIPC_LANG_DESTROYED
%define PIPC_LANG_DESTROYED
%enddef
#endif
#ifndef PIPC_LANG_UNMAPS
%define PIPC_LANG_UNMAPS(name, what)
PIPC_BY_STATUS(name)
%enddef
#endif
%define PIPC_CONSTRUCTOR(type)
PIPC_LANG_CONSTRUCTOR(type)
%enddef
%define PIPC_UNMAPS(name, what)
PIPC_LANG_UNMAPS(name, what)
%enddef
#ifndef PIPC_LANG_STR
#error "the language layer names its string-form method: #define PIPC_LANG_STR"
#endif
#ifndef PIPC_LANG_ATTRIBUTE
%define PIPC_LANG_ATTRIBUTE(type, attr, writable)
%enddef
#endif
#ifndef PIPC_LANG_CLASS
%define PIPC_LANG_CLASS(type)
%enddef
#endif
#ifndef PIPC_LANG_MEMBER
%define PIPC_LANG_MEMBER(type, ctype, attr, writable)
%enddef
#endif

/*
 * A name argument (an object kind, an owner): a string without NUL bytes.
 * The core reads it up to its first NUL, so "sem\0x" would be "sem"; the
 * length SWIG's conversion gives decides instead (INVALID_ARGUMENT). A
 * language may define its own (PIPC_LANG_NAME_ARGUMENT, same contract).
 */
#ifndef PIPC_LANG_NAME_ARGUMENT
%define PIPC_LANG_NAME_ARGUMENT(name)
%typemap(in, noblock=1, fragment="SWIG_AsCharPtrAndSize") const char *name
    (int res, char *buf = 0, size_t size = 0, int alloc = 0) {
    res = SWIG_AsCharPtrAndSize($input, &buf, &size, &alloc);
    if (!SWIG_IsOK(res)) {
        %argument_fail(res, "$type", $symname, $argnum);
    }
    if (size > 1 && pipc_name_check(#name, buf, size - 1) < 0) { PIPC_RAISE_LAST; }
    $1 = buf;
}
%typemap(freearg, noblock=1, match="in") const char *name {
    if (alloc$argnum == SWIG_NEWOBJ) %delete_array(buf$argnum);
}
%enddef
#endif
PIPC_LANG_NAME_ARGUMENT(kind)
PIPC_LANG_NAME_ARGUMENT(owner)

%init %{
    pipc_lang_init(SWIG_PIPC_INIT_ARGS);
%}

/*
 * No default: a wrapper without a failure rule does not compile. Its code
 * names the undeclared identifier pipc_wrapper_needs_a_failure_rule_<name>,
 * so the compiler's message says which wrapper and what to do: mark it with
 * one of the rules above (PIPC_BY_STATUS, PIPC_BY_NULL, PIPC_BY_OUT_STATUS,
 * PIPC_NOFAIL, PIPC_BLOCKING, PIPC_DESTRUCTOR, or a language's own).
 */
%exception {
    pipc_wrapper_needs_a_failure_rule_$symname; /* see "Failure rules" in swig/polyipc.i */
    $action
}

/*
 * Calls that can block make one attempt in the core and return
 * PIPC_E_INTERRUPTED on EINTR; here the language runs its signal handlers
 * (which may raise) and the call is retried with what is left of its timeout.
 */
%define PIPC_BLOCKING(name)
%exception name {
    PIPC_SIGNAL_STATE
    /* $action is a statement: a GNU statement expression makes it the call */
    PIPC_RETRY_INTERRUPTED(result, ({ $action result; }), PIPC_CHECK_SIGNALS)
    if (result < 0) { PIPC_RAISE_LAST; }
}
%enddef

/*
 * Byte results: SharedMemory.read and MessageQueue.receive have one body each
 * (pipc_shm_read_bytes in shared_memory.swg, pipc_msg_receive_bytes in
 * message_queue.swg). The body owns the semantics (flags, capacity, stack
 * buffer or language buffer, the retry loop, the type, failure by status);
 * the language layer defines `pipc_lang_bytes_t` (the string being made:
 * new, or the caller's buffer to fill) and these hooks on it, a few lines each:
 *   bool  pipc_lang_bytes_direct(b)    receive straight into the language's
 *                                      buffer even when the stack buffer
 *                                      would do (b holds a reusable buffer)
 *   void *pipc_lang_bytes_buffer(b, size)  a writable, long-aligned buffer of
 *                                      `size` bytes inside the string, made
 *                                      or grown on the first call; called
 *                                      again after signal handlers ran, and
 *                                      then returns its current address (it
 *                                      may have moved). NULL: failed, with
 *                                      the language's exception pending
 *   int   pipc_lang_bytes_copy(b, text, len)  the result is a copy of `len`
 *                                      bytes at `text` (the stack buffer or
 *                                      the segment): PIPC_OK, or < 0 with the
 *                                      language's exception pending
 *   int   pipc_lang_bytes_take(b, text, len)  the result is the buffer of
 *                                      pipc_lang_bytes_buffer, holding `len`
 *                                      bytes at `text` (inside it): move them
 *                                      to its start, set its length
 *   int   pipc_lang_bytes_signals(b)   run the signal handlers between
 *                                      retries; < 0 when one raised (the
 *                                      exception pending, or left to the
 *                                      language to re-raise from b)
 *   void  pipc_lang_bytes_drop(b)      after a failure: release what
 *                                      pipc_lang_bytes_buffer made or locked
 * A hook that raises by unwinding (Perl's die, Ruby's raise) must leave
 * nothing to release: see each binding.swg.
 */

/*
 * The one description of a handle, the string form of every object in every
 * language (Python str(), Ruby to_s and inspect, Perl's overloaded ""):
 * "Key=<key>, id=<id>" (sysv_ipc's str()), plus ", nsems=<n>" for a
 * SemaphoreSet. PIPC_DESCRIPTION(type, key, id, nsems) gives `type` the
 * method the language layer names PIPC_LANG_STR (nsems < 0: none shown).
 */
%{
#define PIPC_DESCRIPTION_SIZE 64
static const char *pipc_describe(char *buf, int32_t key, int id, int nsems) {
    if (nsems < 0) snprintf(buf, PIPC_DESCRIPTION_SIZE, "Key=%d, id=%d", (int)key, id);
    else snprintf(buf, PIPC_DESCRIPTION_SIZE, "Key=%d, id=%d, nsems=%d", (int)key, id, nsems);
    return buf;
}
%}
%typemap(in, numinputs=0) char *DESCRIPTION (char temp[PIPC_DESCRIPTION_SIZE]) "$1 = temp;"
%define PIPC_DESCRIPTION(type, key, id, nsems)
PIPC_NOFAIL(type::PIPC_LANG_STR)
%extend type {
    const char *PIPC_LANG_STR(char *DESCRIPTION) { return pipc_describe(DESCRIPTION, key, id, nsems); }
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
%include "leak_guard.swg"

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
