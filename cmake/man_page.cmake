# Run at build time (cmake -P) to make one man page from a command's --help with
# help2man, so that the page never drifts from the help text.
#
#   -DGLEAK=<the built binary> -DCOMMAND=<subcommand, or empty for gleak(1)>
#   -DVERSION=<x.y.z> -DEPOCH=<seconds> -DHELP2MAN=<path> -DOUT=<page.1>
#   -DWORK=<a scratch directory> -DSEE_ALSO=<page names, ;-separated>
#
# EPOCH becomes SOURCE_DATE_EPOCH, which help2man takes for the page's date:
# the same sources give the same bytes on every build.
foreach(var GLEAK VERSION EPOCH HELP2MAN OUT WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_page.cmake: ${var} is not set")
  endif()
endforeach()

if(COMMAND)
  set(name "gleak-${COMMAND}")
else()
  set(name "gleak")
endif()
# help2man names the page after the program it runs: a wrapper called
# gleak-analyze gives the page GLEAK-ANALYZE(1), as git's subcommands have.
file(MAKE_DIRECTORY "${WORK}")
set(wrapper "${WORK}/${name}")
file(WRITE "${wrapper}" "#!/bin/sh\nexec '${GLEAK}' ${COMMAND} \"$@\"\n")
file(CHMOD "${wrapper}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
     GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# The one-line description: the first line of the command's --help.
execute_process(COMMAND "${wrapper}" --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: ${name} --help failed (${rc})")
endif()
string(REGEX MATCH "^[^\n]*" summary "${help}")
string(REGEX REPLACE "\\.$" "" summary "${summary}")
string(REGEX REPLACE "^gleak finds goroutine leaks in Go goroutine dumps:.*" "find goroutine leaks in Go goroutine dumps"
       summary "${summary}")

set(include "${WORK}/${name}.h2m")
set(see_also "")
foreach(page IN LISTS SEE_ALSO)
  if(NOT page STREQUAL name)
    if(see_also)
      string(APPEND see_also ",\n")
    endif()
    string(APPEND see_also ".BR ${page} (1)")
  endif()
endforeach()
file(WRITE "${include}" "[see also]\n${see_also}\n")

set(ENV{SOURCE_DATE_EPOCH} "${EPOCH}")
# A fixed locale and width, so the page depends on nothing of this machine.
set(ENV{LC_ALL} "C")
unset(ENV{COLUMNS})
execute_process(
  COMMAND "${HELP2MAN}" --no-info "--version-string=${VERSION}"
          "--name=${summary}" "--section=1" "--source=gleak ${VERSION}" "--manual=gleak manual"
          "--include=${include}" "--output=${OUT}.tmp" "${wrapper}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: help2man failed for ${name} (${rc})")
endif()
# help2man fills the lines of the "Examples:" block into one paragraph (or reads
# "command   what it does" as a list): the examples keep their lines, unfilled.
file(READ "${OUT}.tmp" page)
string(FIND "${help}" "\nExamples:\n" examples_at)
string(FIND "${page}" "\n.SH EXAMPLES\n" section_at)
if(examples_at GREATER -1 AND section_at GREATER -1)
  math(EXPR examples_at "${examples_at} + 11")
  string(SUBSTRING "${help}" ${examples_at} -1 examples)
  string(FIND "${examples}" "\n\n" end)
  string(SUBSTRING "${examples}" 0 ${end} examples)
  string(REPLACE "\\" "\\e" examples "${examples}")
  string(REPLACE "-" "\\-" examples "${examples}")
  string(REGEX REPLACE "(^|\n)  " "\\1" examples "${examples}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" examples "${examples}")
  math(EXPR body_at "${section_at} + 14")
  string(SUBSTRING "${page}" 0 ${body_at} before)
  string(SUBSTRING "${page}" ${body_at} -1 after)
  string(REGEX MATCH "\n\\.S[HS] .*" after "${after}")
  set(page "${before}.nf\n${examples}\n.fi${after}")
endif()
file(WRITE "${OUT}" "${page}")
file(REMOVE "${OUT}.tmp")
