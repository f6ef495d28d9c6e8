# write_if_changed(PATH CONTENT): writes CONTENT to PATH unless PATH already holds it, so that a
# generated source whose content is unchanged keeps its timestamp and is not recompiled.
function(write_if_changed path content)
  if(EXISTS ${path})
    file(READ ${path} previous)
    if(previous STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${path} "${content}")
endfunction()
