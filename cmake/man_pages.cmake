# Writes man pages from the tools' --help with help2man: corag.1, corag-SUBCOMMAND.1 for every
# subcommand `corag --help` lists, and crab-build-stores.1, into OUT; then touches STAMP.
#   cmake -DHELP2MAN=... -DCORAG=... -DCRAB_BUILD_STORES=... -DVERSION=... -DOUT=... -DSTAMP=... -P man_pages.cmake
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
set(wrappers ${OUT}/../wrappers)
file(REMOVE_RECURSE ${wrappers})
file(MAKE_DIRECTORY ${wrappers})

function(describe_command help_text name out_variable)
  string(REGEX MATCH "\n  ${name} +([^\n]*)" found "${help_text}")
  set(${out_variable} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

function(write_page program name description)
  execute_process(
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${VERSION} --name=${description}
            --output=${OUT}/${name}.1 ${program}
    RESULT_VARIABLE status
    ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "help2man failed on ${program}: ${errors}")
  endif()
endfunction()

execute_process(COMMAND ${CORAG} --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${CORAG} --help failed")
endif()
string(FIND "${help}" "Subcommands:" start)
if(start LESS 0)
  message(FATAL_ERROR "${CORAG} --help lists no subcommands")
endif()
string(SUBSTRING "${help}" ${start} -1 listing)
string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*" entries "${listing}")

write_page(${CORAG} corag "collaborative retrieval-augmented generation (CoRAG / CRAB)")
foreach(entry ${entries})
  string(STRIP "${entry}" subcommand)
  describe_command("${listing}" ${subcommand} description)
  # help2man names the page after the program it runs: a wrapper named corag-SUBCOMMAND.
  set(wrapper ${wrappers}/corag-${subcommand})
  file(WRITE ${wrapper} "#!/bin/sh\nexec '${CORAG}' ${subcommand} \"$@\"\n")
  file(CHMOD ${wrapper} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
  write_page(${wrapper} corag-${subcommand} "${description}")
endforeach()
write_page(${CRAB_BUILD_STORES} crab-build-stores "build the CRAB passage-store variants")
file(REMOVE_RECURSE ${wrappers})
file(TOUCH ${STAMP})
