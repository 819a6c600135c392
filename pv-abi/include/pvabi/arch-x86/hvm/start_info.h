/* Xen's location of hvm/start_info.h (public/arch-x86/hvm/start_info.h). */
#ifndef PVABI_ARCH_X86_HVM_START_INFO_H
#define PVABI_ARCH_X86_HVM_START_INFO_H

#include "../../hvm/start_info.h"

#endif
