kernel-srcs += lib/string.c lib/strtol.c lib/vsnprintf.c
CFLAGS_lib_string := $(NOBUILTIN_CFLAGS)
