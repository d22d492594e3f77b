# nnc_add_model(<target> <model.nn>
#               [NAME <symbol prefix>]        # default: the file's base name
#               [WEIGHTS <file.safetensors>]  # embed trained parameters
#               [TARGET_TRIPLE <triple>] [CPU <name>] [MATTR <features>]
#               [OPTIONS <extra nnc flags>...])
#
# Compiles <model.nn> with nnc at build time into <name>.o and <name>.h under
# ${CMAKE_CURRENT_BINARY_DIR}/nnc_models, adds the object to <target>, puts the
# header on its include path and links libnncrt. Recompiles when the model,
# the weights or nnc change.
function(nnc_add_model target model)
  cmake_parse_arguments(ARG "" "NAME;WEIGHTS;TARGET_TRIPLE;CPU;MATTR" "OPTIONS" ${ARGN})
  get_filename_component(model_path "${model}" ABSOLUTE)
  if(NOT ARG_NAME)
    get_filename_component(ARG_NAME "${model}" NAME_WE)
  endif()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/nnc_models")
  set(object "${out_dir}/${ARG_NAME}.o")
  set(header "${out_dir}/${ARG_NAME}.h")
  set(flags "--name=${ARG_NAME}")
  set(depends "${model_path}")
  if(ARG_WEIGHTS)
    get_filename_component(weights_path "${ARG_WEIGHTS}" ABSOLUTE)
    list(APPEND flags "--weights=${weights_path}")
    list(APPEND depends "${weights_path}")
  endif()
  if(ARG_TARGET_TRIPLE)
    list(APPEND flags "--target=${ARG_TARGET_TRIPLE}")
  endif()
  if(ARG_CPU)
    list(APPEND flags "--cpu=${ARG_CPU}")
  endif()
  if(ARG_MATTR)
    list(APPEND flags "--mattr=${ARG_MATTR}")
  endif()
  list(APPEND flags ${ARG_OPTIONS})
  if(TARGET nnc)
    set(compiler $<TARGET_FILE:nnc>)
    list(APPEND depends nnc)
  else()
    set(compiler "${NNC_EXECUTABLE}")
    list(APPEND depends "${NNC_EXECUTABLE}")
  endif()
  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
    COMMAND ${compiler} "${model_path}" ${flags} -o "${object}"
    DEPENDS ${depends}
    COMMENT "nnc: compiling ${model} (${ARG_NAME})"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  target_sources(${target} PRIVATE "${object}" "${header}")
  target_include_directories(${target} PRIVATE "${out_dir}")
  if(TARGET nnc::nncrt)
    target_link_libraries(${target} PRIVATE nnc::nncrt)
  else()
    target_link_libraries(${target} PRIVATE nncrt)
  endif()
endfunction()
