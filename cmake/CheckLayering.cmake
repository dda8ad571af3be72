# Script mode (cmake -P): fails when a module includes a header of a module it
# does not link, i.e. one above it in the dependency order (src/CMakeLists.txt).
#   cmake -DSRC=<src dir> -DMAP=<file of "dir allowed-dir…" lines> -P CheckLayering.cmake
# Every build runs it (target zq_layering), so the direction is enforced by
# the build, not by review.
cmake_minimum_required(VERSION 3.25)
file(STRINGS "${MAP}" lines)
set(violations "")
foreach(line IN LISTS lines)
  string(STRIP "${line}" line)
  string(REPLACE " " ";" parts "${line}")
  list(POP_FRONT parts dir)
  set(allowed ${parts} ${dir})
  file(GLOB_RECURSE files "${SRC}/${dir}/*.cc" "${SRC}/${dir}/*.h")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" includes REGEX "^#include \"[a-z_]+/")
    foreach(inc IN LISTS includes)
      string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" target "${inc}")
      # zhanqun/version.h is generated, for everyone.
      if(target STREQUAL "zhanqun")
        continue()
      endif()
      list(FIND allowed "${target}" at)
      if(at EQUAL -1)
        file(RELATIVE_PATH rel "${SRC}" "${f}")
        string(APPEND violations "  src/${rel}: ${inc} (${dir}/ may include: ${allowed})\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "模块依赖方向错误 / a module includes a header of a module above it:\n${violations}")
endif()
