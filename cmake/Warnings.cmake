# Warnings on for every target of ours; -Werror where ZQ_WERROR is on (CI).
# Clang builds (the fuzz and sanitizer builds) also check the thread-safety
# annotations of core/thread_annotations.h.
option(ZQ_WERROR "Treat warnings as errors" OFF)
function(zq_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
  if(ZQ_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
