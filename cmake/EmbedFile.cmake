# revpack_embed(FILE SYMBOL OUTPUT): generate OUTPUT, a C file defining
#   const unsigned char SYMBOL[];  const size_t SYMBOL_len;
# holding FILE's bytes (no NUL added to the length, one added after the data).
function(revpack_embed file symbol output)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${output} -DSYM=${symbol}
            -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedFileRun.cmake
    DEPENDS ${file} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedFileRun.cmake
    COMMENT "Embedding ${file}"
    VERBATIM)
endfunction()
