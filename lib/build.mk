kernel-srcs += lib/string.c lib/strtol.c lib/vsnprintf.c lib/seq_buf.c lib/parse_num.c \
	lib/siphash.c lib/toeplitz.c lib/csum.c lib/irqbalance.c
CFLAGS_lib_string := $(NOBUILTIN_CFLAGS) $(if $(filter 1,$(LTO)),-fno-lto)
