# bn-inject: the host-side traffic injector (tools/inject/inject.h says what
# it does; `build/tools/bn-inject --help` how).  Built by `make` for the host.
INJECT      := $(BUILD)/tools/bn-inject
inject-srcs := $(wildcard tools/inject/*.c)
inject-objs := $(patsubst %.c,$(BUILD)/host/%.o,$(inject-srcs))
INJECT_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP

checked: $(INJECT)

$(INJECT): $(inject-objs)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) -o $@ $^

$(BUILD)/host/tools/inject/%.o: tools/inject/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(INJECT_CFLAGS) -c $< -o $@

-include $(inject-objs:.o=.d)
