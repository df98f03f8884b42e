# What `cmake --install` puts under the prefix: the binary, a man page per
# command, and completion scripts for bash, zsh and fish. The pages and the
# scripts are made at build time from the binary itself (its --help texts and
# its command-line definition), so they cannot drift from it.
include(GNUInstallDirs)

# Debug info stays out of the installed binary (it is 97% of a RelWithDebInfo
# build). A packager who splits it off himself (dh_strip) turns this off.
option(GLEAK_INSTALL_STRIP "Strip the installed binary (as cmake --install --strip does)" ON)
if(GLEAK_INSTALL_STRIP)
  install(CODE "set(CMAKE_INSTALL_DO_STRIP TRUE)")
endif()
install(TARGETS gleak RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS gleak_http_server LIBRARY DESTINATION ${GLEAK_MODULE_DIR})

set(GLEAK_COMMANDS analyze diff parse watch serve rules)

# The pages' date: SOURCE_DATE_EPOCH when the build sets it (reproducible-builds.org),
# else the date of the commit built, else a fixed one; never the time of the build.
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  set(gleak_epoch "$ENV{SOURCE_DATE_EPOCH}")
else()
  set(gleak_epoch 1764547200)  # 2025-12-01, when there is no git
  find_package(Git QUIET)
  if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
    execute_process(COMMAND "${GIT_EXECUTABLE}" log -1 --format=%ct
                    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                    OUTPUT_VARIABLE git_epoch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(git_epoch MATCHES "^[0-9]+$")
      set(gleak_epoch "${git_epoch}")
    endif()
  endif()
endif()

find_program(GLEAK_HELP2MAN help2man)
option(GLEAK_MAN "Make and install man pages (needs help2man)" ON)
if(GLEAK_MAN AND NOT GLEAK_HELP2MAN)
  message(WARNING "help2man not found: no man pages (apt-get install help2man, or -DGLEAK_MAN=OFF)")
elseif(GLEAK_MAN)
  set(pages gleak)
  foreach(command IN LISTS GLEAK_COMMANDS)
    list(APPEND pages gleak-${command})
  endforeach()
  set(man_files)
  foreach(command "" ${GLEAK_COMMANDS})
    if(command)
      set(page gleak-${command})
    else()
      set(page gleak)
    endif()
    set(out ${CMAKE_CURRENT_BINARY_DIR}/man/${page}.1)
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DGLEAK=$<TARGET_FILE:gleak> -DCOMMAND=${command}
              -DVERSION=${PROJECT_VERSION} -DEPOCH=${gleak_epoch} -DHELP2MAN=${GLEAK_HELP2MAN}
              -DOUT=${out} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/man/work "-DSEE_ALSO=${pages}"
              -P ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
      DEPENDS gleak ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
      COMMENT "Man page ${page}(1) from its --help"
      VERBATIM)
    list(APPEND man_files ${out})
  endforeach()
  add_custom_target(gleak_man ALL DEPENDS ${man_files})
  install(FILES ${man_files} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# zsh looks in $prefix/share/zsh/site-functions by default (Debian's zsh also in
# /usr/share/zsh/vendor-completions, which a Debian package would choose).
set(GLEAK_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/site-functions
    CACHE STRING "Where to install the zsh completion, under the prefix")
set(completion_dir ${CMAKE_CURRENT_BINARY_DIR}/completions)
set(completions
    bash ${completion_dir}/gleak ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    zsh ${completion_dir}/_gleak ${GLEAK_ZSH_COMPLETION_DIR}
    fish ${completion_dir}/gleak.fish ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
set(completion_files)
while(completions)
  list(POP_FRONT completions shell file destination)
  add_custom_command(
    OUTPUT ${file}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${completion_dir}
    COMMAND $<TARGET_FILE:gleak> completion ${shell} -o ${file}
    DEPENDS gleak
    COMMENT "Completion script for ${shell}"
    VERBATIM)
  list(APPEND completion_files ${file})
  install(FILES ${file} DESTINATION ${destination})
endwhile()
add_custom_target(gleak_completions ALL DEPENDS ${completion_files})
