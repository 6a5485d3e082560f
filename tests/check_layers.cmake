# The layer map, said once: each folder with the folders its files may
# include. CMake's shared include root would let a wrong include compile,
# so this test reads every #include line instead (run by CTest as
# layers.include-only-lower-layers; SOURCE is the project root).
#   model <- sim <- scenario <- formats <- kernel <- cli
#   packetdrill (the script language and its runner) sits beside formats.
set(LAYER_model model)
set(LAYER_sim model sim)
set(LAYER_scenario model sim scenario)
set(LAYER_formats model sim scenario formats)
set(LAYER_packetdrill model sim scenario packetdrill)
set(LAYER_kernel model sim scenario formats kernel)
set(LAYER_cli model sim scenario formats kernel packetdrill cli)
set(LAYERS model sim scenario formats packetdrill kernel cli)

set(violations 0)
foreach(layer ${LAYERS})
  file(GLOB_RECURSE files ${SOURCE}/${layer}/*.h ${SOURCE}/${layer}/*.cc)
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]+\"")
    foreach(line ${lines})
      string(REGEX REPLACE "^[^\"]*\"([^\"]+)\".*$" "\\1" target "${line}")
      if(NOT target MATCHES "/")
        continue()  # generated headers (version.h) and same-folder names
      endif()
      string(REGEX REPLACE "/.*$" "" top "${target}")
      list(FIND LAYERS ${top} known)
      if(known EQUAL -1)
        continue()  # a library's header, not one of ours
      endif()
      list(FIND LAYER_${layer} ${top} allowed)
      if(allowed EQUAL -1)
        file(RELATIVE_PATH rel ${SOURCE} ${f})
        message("${rel}: includes ${target}: ${layer}/ may include only ${LAYER_${layer}}")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} include(s) reach a higher layer")
endif()
message("every include points to the same or a lower layer")
