# pvmini: the reference guest kernel. Freestanding, general-registers-only
# (no SSE/AVX in generated code: this host's emulating KVM cannot run them,
# and a kernel should not touch the FPU without saving it anyway).

PVMINI_DIR := guest-kernel-patches/pvmini
PVMINI_SRC := $(sort $(wildcard $(PVMINI_DIR)/*.c $(PVMINI_DIR)/*.S \
                                $(PVMINI_DIR)/tests/*.c))
PVMINI_OBJ := $(patsubst %,$(BUILD)/obj/%.o,$(PVMINI_SRC))
PVMINI_ELF := $(BUILD)/guests/pvmini.elf

GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-builtin \
	-mno-red-zone -fno-pic -fno-pie -mgeneral-regs-only -march=x86-64 \
	-mtune=generic -mcmodel=small -fno-stack-protector \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -Ipv-abi/include -I$(PVMINI_DIR)

guests: $(PVMINI_ELF)

$(BUILD)/obj/$(PVMINI_DIR)/%.c.o: $(PVMINI_DIR)/%.c
	$(call msg,GCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/$(PVMINI_DIR)/%.S.o: $(PVMINI_DIR)/%.S
	$(call msg,GAS,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ $(DEPFLAGS) -c -o $@ $<

$(PVMINI_ELF): $(PVMINI_OBJ) $(PVMINI_DIR)/pvmini.ld
	$(call msg,LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none \
	    -Wl,-z,max-page-size=4096 -Wl,-T,$(PVMINI_DIR)/pvmini.ld \
	    -o $@ $(PVMINI_OBJ) -lgcc
