# Included by the install script (core/CMakeLists.txt, install(CODE)): writes
# polyipc.pc for the prefix being installed to and installs it into
# <libdir>/pkgconfig. file(INSTALL) honours DESTDIR and the install manifest.
# Input: PIPC_PC_TEMPLATE, PIPC_PC_WORKDIR, PIPC_PC_LIBDIR, PIPC_PC_INCLUDEDIR,
# PIPC_PC_VERSION, PIPC_PC_LIBS_PRIVATE; CMAKE_INSTALL_PREFIX is the prefix.
set(PIPC_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
# pipc_pc_dir(<out> <dir>): <dir> as a pkg-config value (relative to ${prefix}).
macro(pipc_pc_dir out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}")
  else()
    set(${out} "\${prefix}/${dir}")
  endif()
endmacro()
pipc_pc_dir(PIPC_PC_FULL_LIBDIR "${PIPC_PC_LIBDIR}")
pipc_pc_dir(PIPC_PC_FULL_INCLUDEDIR "${PIPC_PC_INCLUDEDIR}")
if(IS_ABSOLUTE "${PIPC_PC_LIBDIR}")
  set(_pipc_pc_dest "${PIPC_PC_LIBDIR}/pkgconfig")
else()
  set(_pipc_pc_dest "${CMAKE_INSTALL_PREFIX}/${PIPC_PC_LIBDIR}/pkgconfig")
endif()
# One work file per destination, so that two installs at once do not collide;
# removed once installed.
string(MD5 _pipc_pc_tag "$ENV{DESTDIR}${_pipc_pc_dest}")
set(_pipc_pc_file "${PIPC_PC_WORKDIR}/${_pipc_pc_tag}/polyipc.pc")
configure_file("${PIPC_PC_TEMPLATE}" "${_pipc_pc_file}" @ONLY)
file(INSTALL DESTINATION "${_pipc_pc_dest}" TYPE FILE FILES "${_pipc_pc_file}")
file(REMOVE_RECURSE "${PIPC_PC_WORKDIR}/${_pipc_pc_tag}")
