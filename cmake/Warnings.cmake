# A deliberate, long warning list; -Werror unless REVPACK_WERROR is OFF.
function(revpack_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic
    -Wshadow -Wformat=2 -Wformat-overflow=2 -Wformat-truncation=2
    -Wconversion -Wsign-conversion -Wno-sign-conversion
    -Wcast-qual -Wcast-align -Wpointer-arith -Wwrite-strings
    -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
    -Wmissing-declarations -Wredundant-decls -Wnested-externs
    -Wundef -Wvla -Wnull-dereference -Wdouble-promotion
    -Wimplicit-fallthrough -Wswitch-enum -Wduplicated-cond
    -Wduplicated-branches -Wlogical-op -Wjump-misses-init
    -Wunused -Wuninitialized -Winit-self -Wstrict-overflow=2
  )
  if(REVPACK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
