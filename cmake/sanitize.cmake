# POLYIPC_SANITIZE: everything this project compiles (the core, the C tests,
# the Python, Ruby and Perl modules, the C agents and benchmarks) is built
# with AddressSanitizer and UndefinedBehaviorSanitizer. Undefined behaviour
# aborts (-fno-sanitize-recover) instead of printing and going on.
#
# The interpreters themselves are not instrumented, so the ASan runtime must
# be loaded first into them: LD_PRELOAD=<POLYIPC_ASAN_RUNTIME>. CMake writes
# that path to <build>/asan-runtime.txt, where ./run reads it (docs/testing.md).
# Only GCC is supported (with Clang the modules would need -shared-libasan
# and the runtime is another file).
if(POLYIPC_SANITIZE)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "POLYIPC_SANITIZE supports GCC only (CMAKE_C_COMPILER_ID is ${CMAKE_C_COMPILER_ID})")
  endif()
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE POLYIPC_ASAN_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT IS_ABSOLUTE "${POLYIPC_ASAN_RUNTIME}" OR NOT EXISTS "${POLYIPC_ASAN_RUNTIME}")
    message(FATAL_ERROR "POLYIPC_SANITIZE: ${CMAKE_C_COMPILER} has no libasan.so (install build-essential)")
  endif()
  file(WRITE ${CMAKE_BINARY_DIR}/asan-runtime.txt "${POLYIPC_ASAN_RUNTIME}\n")
  message(STATUS "polyipc: ASan+UBSan build; interpreters need LD_PRELOAD=${POLYIPC_ASAN_RUNTIME}")
endif()

# Called at the end of the top-level CMakeLists.txt, once every target exists.
#
# Warnings are not errors here: the instrumentation changes GCC's inlining and
# value ranges, which yields warnings the normal build does not see (e.g.
# -Wformat-truncation in cli/polyipc.c); the normal build keeps -Werror and is
# where warnings are enforced. Appended to every target, after its own -Werror.
#
# Ruby raises by __builtin_longjmp (which ASan does not intercept) straight
# out of the wrapper's frames (a TypeError from NUM2LONG, a trap handler's
# exception from rb_thread_check_ints), leaving their stack redzones
# poisoned; Ruby's own uninstrumented code later copies that stack and ASan
# aborts on a stale redzone. So the Ruby wrapper gets no stack
# instrumentation (heap, globals and UBSan stay on); the core it links makes
# no Ruby calls and keeps everything.
function(_polyipc_sanitize_dir dir)
  get_property(_targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(_t IN LISTS _targets)
    get_target_property(_type ${_t} TYPE)
    if(_type MATCHES "^(EXECUTABLE|MODULE_LIBRARY|SHARED_LIBRARY|STATIC_LIBRARY|OBJECT_LIBRARY)$")
      target_compile_options(${_t} PRIVATE -Wno-error)
    endif()
  endforeach()
  get_property(_subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(_d IN LISTS _subdirs)
    _polyipc_sanitize_dir(${_d})
  endforeach()
endfunction()

function(polyipc_sanitize_targets)
  if(NOT POLYIPC_SANITIZE)
    return()
  endif()
  _polyipc_sanitize_dir(${PROJECT_SOURCE_DIR})
  if(TARGET polyipc_ruby)
    target_compile_options(polyipc_ruby PRIVATE --param=asan-stack=0 -fno-sanitize-address-use-after-scope)
  endif()
endfunction()
