/*
 * Dropping what pvstored does not need once it serves: it parses data
 * from hostile guests, so a bug must not hand out root's powers. After
 * set-up it keeps its open files, sockets and the right to create files
 * in its own directory (as the same uid), and loses every capability,
 * the ability to gain privileges (no_new_privs), and, through a seccomp
 * filter, the system calls it never makes (exec, ptrace, reading other
 * processes' memory, modules, mounts...), which fail with EPERM.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <pvhv/log.h>

#include "pvstored.h"

static int drop_capabilities(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	for (int cap = 0; cap <= 63; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); /* fails harmlessly */
	return syscall(SYS_capset, &h, data) < 0 ? -errno : 0;
}

#ifdef __x86_64__
#define DENY(nr)                                                               \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                       \
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

static int seccomp_filter(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    /* x32 system calls (bit 30) are not pvstored's */
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    DENY(SYS_execve),
	    DENY(SYS_execveat),
	    DENY(SYS_ptrace),
	    DENY(SYS_process_vm_readv),
	    DENY(SYS_process_vm_writev),
	    DENY(SYS_kexec_load),
	    DENY(SYS_kexec_file_load),
	    DENY(SYS_init_module),
	    DENY(SYS_finit_module),
	    DENY(SYS_delete_module),
	    DENY(SYS_mount),
	    DENY(SYS_umount2),
	    DENY(SYS_pivot_root),
	    DENY(SYS_chroot),
	    DENY(SYS_reboot),
	    DENY(SYS_swapon),
	    DENY(SYS_swapoff),
	    DENY(SYS_bpf),
	    DENY(SYS_perf_event_open),
	    DENY(SYS_userfaultfd),
	    DENY(SYS_keyctl),
	    DENY(SYS_add_key),
	    DENY(SYS_request_key),
	    DENY(SYS_setuid),
	    DENY(SYS_setgid),
	    DENY(SYS_setns),
	    DENY(SYS_unshare),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0 ? -errno
								     : 0;
}
#else
static int seccomp_filter(void)
{
	return 0;
}
#endif

void sandbox(void)
{
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		log_warn("sandbox", "no_new_privs: %s", strerror(errno));
	rc = drop_capabilities();
	if (rc)
		log_warn("sandbox", "cannot drop capabilities: %s",
			 strerror(-rc));
	rc = seccomp_filter();
	if (rc)
		log_warn("sandbox", "no seccomp filter: %s", strerror(-rc));
}
