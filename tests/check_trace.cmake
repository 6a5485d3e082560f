# One scenario of traces/ as a test: its assertions pass (tcpsim check), and
# `tcpsim run` prints exactly its golden output (NAME.out beside it), which
# a person checked against RFC 9293 and the kernel before it was committed.
# Regenerate a golden file only after checking the new output by eye:
#   build/tcpsim run traces/NAME.tcpsim -o traces/NAME.out
execute_process(COMMAND ${TCPSIM} check -q ${SCENARIO} RESULT_VARIABLE check_rc OUTPUT_VARIABLE check_out ERROR_VARIABLE check_err)
if(NOT check_rc EQUAL 0)
  message(FATAL_ERROR "tcpsim check failed (${check_rc}):\n${check_out}${check_err}")
endif()
string(REGEX REPLACE "\\.tcpsim$" ".out" golden ${SCENARIO})
if(NOT EXISTS ${golden})
  message(FATAL_ERROR "no golden output ${golden}")
endif()
get_filename_component(dir ${SCENARIO} DIRECTORY)
get_filename_component(name ${SCENARIO} NAME)
# Run from the traces/ folder so the file name in the output is the same everywhere.
execute_process(COMMAND ${TCPSIM} run ${name} WORKING_DIRECTORY ${dir} OUTPUT_VARIABLE got ERROR_VARIABLE err RESULT_VARIABLE rc)
file(READ ${golden} want)
# The header names tcpsim's version (formats/provenance.h): masked on both
# sides, so a new version does not rewrite every golden file.
foreach(text got want)
  string(REGEX REPLACE ", tcpsim [0-9]+\\.[0-9]+(\\.[0-9]+)?\n" ", tcpsim VERSION\n" ${text} "${${text}}")
endforeach()
if(NOT got STREQUAL want)
  # What was printed goes to the build folder, never beside the golden file.
  set(got_file ${CMAKE_CURRENT_BINARY_DIR}/${name}.got)
  file(WRITE ${got_file} "${got}")
  message(FATAL_ERROR "output differs from ${golden} (got: ${got_file}):\n${got}")
endif()
