#!/usr/bin/env python3
"""Generate tests/unit/abi_list.h, the X-macro list test_abi compares.

Both halves of test_abi are parsed with clang (JSON AST and -dD macro
dumps): test_abi.c with pvabi's headers, test_abi-xen.c with Debian's Xen
headers. Every structure, field, typedef and constant that both sides
define goes into the list, plus a few hand-written expressions for
function-like macros and string tables (EXTRAS).

Items only Xen has must match XEN_ONLY (with the reason they are left
out), or the script fails: a Xen name we forgot, or spelled differently,
cannot slip through. Items only pvabi has are printed for review.

Run from the top of the tree: tests/unit/gen_abi_list.py
"""

import json
import os
import re
import subprocess
import sys
import tempfile

OURS_TU = "tests/unit/test_abi.c"
XEN_TU = "tests/unit/test_abi-xen.c"
OUT = "tests/unit/abi_list.h"
CFLAGS = ["-std=gnu11", "-D_GNU_SOURCE", "-DABI_LIST_SKIP", "-Itests/unit"]
OURS_FLAGS = CFLAGS + ["-Ipv-abi/include"]
XEN_FLAGS = CFLAGS

XEN_DIR = "/usr/include/xen/"
# Xen headers pvabi mirrors; items from other Xen headers are not expected.
XEN_SCOPE = {
    "xen.h", "arch-x86/xen.h", "arch-x86/xen-x86_64.h", "xen-compat.h",
    "errno.h", "elfnote.h", "version.h", "features.h", "sched.h", "vcpu.h",
    "memory.h", "event_channel.h", "grant_table.h", "hvm/hvm_op.h",
    "hvm/params.h", "hvm/hvm_vcpu.h", "arch-x86/hvm/start_info.h",
    "arch-x86/cpuid.h", "io/xs_wire.h", "io/console.h", "io/xenbus.h",
    "io/ring.h",
}
SHARED_SCOPE = {"tests/unit/abi_ring_trace.h"}

# Xen-only items deliberately not in pvabi: (regex on the item, reason).
# Items are "const NAME", "type NAME", "struct TAG", "union TAG" and
# "field TAG.PATH".
XEN_ONLY = [
    # PV (ring-3 kernel, guest-managed page tables) interfaces: pvhv runs
    # PVH guests only.
    (r"const (MMU_|MMUEXT_|UVMF_|FLAT_|SEGBASE_|VGCF_|_VGCF_|TI_)", "PV only"),
    (r"const (FIRST_RESERVED_GDT_|MACH2PHYS_|__MACH2PHYS_|HYPERVISOR_VIRT_"
     r"|__HYPERVISOR_VIRT_|MAX_GUEST_CMDLINE|XEN_HAVE_PV_GUEST_ENTRY"
     r"|XEN_EMULATE_PREFIX|XEN_CPUID$)", "PV only"),
    (r"(struct|type) (mmuext_op|mmu_update|trap_info|cpu_user_regs"
     r"|vcpu_guest_context|iret_context|start_info|xen_callback_t"
     r"|xen_multiboot_mod_list)", "PV only"),
    (r"type (mmuext_op_t|mmu_update_t|trap_info_t|cpu_user_regs_t"
     r"|vcpu_guest_context_t|start_info_t)$", "PV only"),
    (r"type __guest_handle_(const_)?(mmuext_op_t|mmu_update_t|trap_info_t"
     r"|cpu_user_regs_t|vcpu_guest_context_t)$", "PV only"),
    (r"const machine_to_phys_mapping$", "PV only"),
    # Boot-time console of the control domain; pvhv's dom0 is the host.
    (r"(struct|type|field) (dom0_vga_console_info|xen_vga_console_info)",
     "dom0 boot only"),
    (r"const (XEN_VGATYPE_|xen_vga_console_info)", "dom0 boot only"),
    # Toolstack (domctl/sysctl) interfaces, visible with __XEN_TOOLS__.
    (r"(struct|type|field) (xen_arch_domainconfig|xenctl_bitmap"
     r"|xen_cpuid_leaf|xen_msr_entry)", "toolstack only"),
    (r"type __guest_handle_(const_)?(xen_cpuid_leaf_t|xen_msr_entry_t)$",
     "toolstack only"),
    (r"const (_?XEN_X86_EMU_|XEN_X86_MSR_RELAXED|XEN_X86_MISC_FLAGS_MAX"
     r"|XEN_CPUID_NO_SUBLEAF)", "toolstack only"),
    (r"(struct|type|field) (xen_mem_paging_op|xen_mem_access_op"
     r"|xen_mem_sharing_op|mem_sharing_op_|xen_reserved_device_memory)",
     "toolstack memory paging/access/sharing: not implemented"),
    (r"type __guest_handle_(const_)?(xen_mem_paging_op_t|xen_mem_access_op_t"
     r"|xen_mem_sharing_op_t|xen_reserved_device_memory_t"
     r"|xen_reserved_device_memory_map_t)$",
     "toolstack memory paging/access/sharing: not implemented"),
    (r"type xenmem_access_t$", "toolstack only"),
    (r"const (XENMEM_paging_op_|XENMEM_access_op_|XENMEM_access_"
     r"|XENMEM_sharing_op_|XENMEM_SHARING_OP_|XENMEM_FORK_|XENMEM_RDM_ALL)",
     "toolstack memory paging/access/sharing: not implemented"),
    (r"const HVM_IOREQSRV_BUFIOREQ_", "device model only"),
    # Interface-version and compiler plumbing of Xen's headers.
    (r"const (__XEN_LATEST_INTERFACE_VERSION__|__XEN_INTERFACE_VERSION__"
     r"|COMPAT_FLEX_ARRAY_DIM|XEN_ERRNO_DEFAULT_INCLUDE|int64_aligned_t"
     r"|uint64_aligned_t)$", "header plumbing"),
    (r"type hvmmem_type_t$", "enum type: values are #defines here"),
    (r"type XenbusState$", "enum type: values are #defines here"),
]

# Present on both sides but deliberately different.
NOT_COMPARED = {
    "const XS_TYPE_COUNT": "pvabi counts the four types added after 4.17",
}

INT_TYPES = {
    "char", "signed char", "unsigned char", "short", "unsigned short", "int",
    "unsigned int", "long", "unsigned long", "long long",
    "unsigned long long", "_Bool",
}

# Hand-written checks: function-like macros and string tables.
EXTRAS = [
    "ABI_CONST(TRACE_EXTRA_MAX)",
    "ABI_EXPR(XEN_CPUID_LEAF(0))",
    "ABI_EXPR(XEN_CPUID_LEAF(4))",
    "ABI_EXPR(XENMEMF_address_bits(32))",
    "ABI_EXPR(XENMEMF_get_address_bits(0x1234))",
    "ABI_EXPR(XENMEMF_node(5))",
    "ABI_EXPR(XENMEMF_get_node(XENMEMF_node(5)))",
    "ABI_EXPR(XENMEMF_exact_node(2))",
    "ABI_EXPR(XENMEM_resource_ioreq_server_frame_ioreq(3))",
    "ABI_EXPR(xen_vcpu_physid_to_x86_apicid(0x123456789abcdef0ULL))",
    "ABI_EXPR(xen_vcpu_physid_to_x86_acpiid(0x123456789abcdef0ULL))",
    "ABI_EXPR(MASK_XENSTORE_IDX(1030))",
    "ABI_EXPR(MASK_XENCONS_IDX(5000, ((struct xencons_interface *)0)->in))",
    "ABI_EXPR(MASK_XENCONS_IDX(5000, ((struct xencons_interface *)0)->out))",
    "ABI_EXPR(__RD32(0))",
    "ABI_EXPR(__RD32(1))",
    "ABI_EXPR(__RD32(252))",
    "ABI_EXPR(__RD32(0x80000001u))",
    "ABI_EXPR(__CONST_RING_SIZE(abitest, 4096))",
    "ABI_EXPR(XEN_FLEX_RING_SIZE(0))",
    "ABI_EXPR(XEN_FLEX_RING_SIZE(3))",
    "ABI_EXPR(ABI_UUID.a[0])",
    "ABI_EXPR(ABI_UUID.a[3])",
    "ABI_EXPR(ABI_UUID.a[9])",
    "ABI_EXPR(ABI_UUID.a[15])",
    "ABI_EXPR(sizeof((const char *const[])GNTTABOP_error_msgs))",
] + [
    "ABI_EXPR_STR(((const char *const[])GNTTABOP_error_msgs)[%d])" % i
    for i in range(14)
] + [
    "ABI_EXPR(sizeof(xsd_errors) / sizeof(xsd_errors[0]))",
] + [
    e for i in range(16) for e in (
        "ABI_EXPR(xsd_errors[%d].errnum)" % i,
        "ABI_EXPR_STR(xsd_errors[%d].errstring)" % i,
    )
]


def run(cmd):
    res = subprocess.run(cmd, capture_output=True, text=True)
    return res.returncode, res.stdout, res.stderr


def in_scope(path, side):
    if path is None:
        return False
    path = os.path.normpath(path)
    if any(path.endswith(s) for s in SHARED_SCOPE):
        return True
    if side == "ours":
        return "pv-abi/include/pvabi/" in path
    if path.startswith(XEN_DIR):
        return path[len(XEN_DIR):] in XEN_SCOPE
    return False


class Ast:
    """Top-level declarations of one TU, with the file each comes from."""

    def __init__(self, tu, flags, side):
        rc, out, err = run(["clang"] + flags + ["-fsyntax-only", "-Xclang",
                                                 "-ast-dump=json", tu])
        if rc:
            sys.exit("clang failed on %s:\n%s" % (tu, err))
        self.side = side
        self.lastfile = None
        self.records = {}    # tag -> RecordDecl node (named ones)
        self.order = []      # tags in declaration order
        self.typedefs = {}   # name -> TypedefDecl node
        self.enumconsts = set()
        for decl in json.loads(out)["inner"]:
            self._track(decl.get("loc", {}))
            path = self.lastfile
            self._track({k: v for k, v in decl.items() if k != "loc"})
            if not in_scope(path, side):
                continue
            self._collect(decl)

    def _track(self, node):
        # clang prints a location's file only when it changed since the
        # previous location printed, so walk everything in print order.
        if isinstance(node, dict):
            if "file" in node and ("offset" in node or "line" in node):
                self.lastfile = node["file"]
            for key, val in node.items():
                if key != "includedFrom":
                    self._track(val)
        elif isinstance(node, list):
            for val in node:
                self._track(val)

    def _collect(self, decl):
        kind = decl.get("kind")
        if kind == "RecordDecl":
            self._record(decl)
        elif kind == "TypedefDecl":
            self.typedefs[decl["name"]] = decl
        elif kind == "EnumDecl":
            for c in decl.get("inner", []):
                if c.get("kind") == "EnumConstantDecl":
                    self.enumconsts.add(c["name"])

    def _record(self, decl):
        if decl.get("name") and decl.get("completeDefinition"):
            if decl["name"] not in self.records:
                self.order.append(decl["name"])
            self.records[decl["name"]] = decl
        for c in decl.get("inner", []):
            if c.get("kind") == "RecordDecl":
                self._record(c)

    def fields(self, decl, prefix=""):
        """(path, kind) of every field, nested records flattened."""
        out = []
        anon = None
        for c in decl.get("inner", []):
            if c.get("kind") == "RecordDecl":
                if not c.get("name"):
                    anon = c
                continue
            if c.get("kind") != "FieldDecl":
                continue
            t = c["type"].get("desugaredQualType", c["type"]["qualType"])
            name = c.get("name")
            path = prefix + name if name else prefix[:-1]
            sub = None
            if t.endswith("[]"):
                kind = "flex"
            elif "[" in t or "*" in t:
                kind = "leaf"
            elif t in INT_TYPES:
                kind = "scalar"
            elif t.startswith(("struct ", "union ")):
                kind = "leaf"
                if "(unnamed" in t or "(anonymous" in t:
                    sub = anon
                else:
                    sub = self.records.get(t.split()[1])
            else:
                kind = "leaf"
            if name:
                out.append((path, kind))
            if sub is not None:
                out += self.fields(sub, path + "." if path else "")
        return out

    def tagkind(self, tag):
        return self.records[tag]["tagUsed"]

    def is_scalar_typedef(self, name):
        t = self.typedefs[name]["type"]
        return t.get("desugaredQualType", t["qualType"]) in INT_TYPES


def macros(tu, flags, side):
    """Object-like macros defined in scope: name -> body."""
    rc, out, err = run(["clang"] + flags + ["-E", "-dD", tu])
    if rc:
        sys.exit("clang -E failed on %s:\n%s" % (tu, err))
    cur = None
    found = {}
    for line in out.splitlines():
        m = re.match(r'# \d+ "([^"]*)"', line)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r"#define (\w+)(\(?)(.*)", line)
        if m and not m.group(2) and in_scope(cur, side):
            body = m.group(3).strip()
            # Include guards are no part of the interface.
            if not (body == "" and re.search(r"_H(__)?$", m.group(1))):
                found[m.group(1)] = body
        m = re.match(r"#undef (\w+)", line)
        if m:
            found.pop(m.group(1), None)
    return found


def probe_ints(tu, flags, names):
    """The names that are integer constant expressions in tu."""
    names = list(names)
    for _ in range(10):
        with tempfile.NamedTemporaryFile("w", suffix=".c", dir=".",
                                         delete=False) as f:
            f.write('#include "%s"\n' % tu)
            first = 2
            for n in names:
                f.write('_Static_assert((%s) || 1, "");\n' % n)
            probe = f.name
        rc, out, err = run(["clang"] + flags + ["-fsyntax-only",
                                                 "-ferror-limit=0", probe])
        os.unlink(probe)
        bad = set()
        for m in re.finditer(re.escape(os.path.basename(probe)) +
                             r":(\d+):\d+: error", err):
            line = int(m.group(1))
            if line >= first:
                bad.add(names[line - first])
        if rc == 0:
            return set(names)
        if not bad:
            sys.exit("probe failed:\n" + err)
        names = [n for n in names if n not in bad]
    sys.exit("probe did not converge")


def main():
    ours = Ast(OURS_TU, OURS_FLAGS, "ours")
    xen = Ast(XEN_TU, XEN_FLAGS, "xen")
    our_macros = macros(OURS_TU, OURS_FLAGS, "ours")
    xen_macros = macros(XEN_TU, XEN_FLAGS, "xen")

    entries = []
    xen_only = []
    ours_only = []
    skipped = []

    def one_side(item, ok_ours, ok_xen):
        if ok_xen and not ok_ours:
            xen_only.append(item)
        elif ok_ours and not ok_xen:
            ours_only.append(item)
        return ok_ours and ok_xen and item not in NOT_COMPARED

    # Structures and unions, then their fields.
    for tag in ours.order + [t for t in xen.order if t not in ours.records]:
        kind = (ours if tag in ours.records else xen).tagkind(tag)
        if not one_side("%s %s" % (kind, tag), tag in ours.records,
                        tag in xen.records):
            continue
        if ours.tagkind(tag) != xen.tagkind(tag):
            sys.exit("%s is a %s in pvabi and a %s in Xen" %
                     (tag, ours.tagkind(tag), xen.tagkind(tag)))
        entries.append("ABI_RECORD(%s, %s)" % (kind, tag))
        of = ours.fields(ours.records[tag])
        xf = dict(xen.fields(xen.records[tag]))
        for path, fk in of:
            if path not in xf:
                continue
            if fk == "flex" or xf[path] == "flex":
                macro = "ABI_FLEXFIELD"
            elif fk == "scalar" and xf[path] == "scalar":
                macro = "ABI_SFIELD"
            else:
                macro = "ABI_FIELD"
            entries.append("%s(%s, %s, %s)" % (macro, kind, tag, path))
        for path in xf:
            if path not in dict(of):
                xen_only.append("field %s.%s" % (tag, path))
        for path, _ in of:
            if path not in xf:
                ours_only.append("field %s.%s" % (tag, path))

    # Typedefs.
    for name in list(ours.typedefs) + [t for t in xen.typedefs
                                       if t not in ours.typedefs]:
        if not one_side("type " + name, name in ours.typedefs,
                        name in xen.typedefs):
            continue
        scalar = ours.is_scalar_typedef(name) and xen.is_scalar_typedef(name)
        entries.append("ABI_%s(%s)" % ("STYPE" if scalar else "TYPE", name))

    # Constants: object-like macros and (Xen) enum constants.
    our_consts = dict(our_macros)
    for n in ours.enumconsts:
        our_consts.setdefault(n, "")
    xen_consts = dict(xen_macros)
    for n in xen.enumconsts:
        xen_consts.setdefault(n, "")
    common = []
    for name in list(our_consts) + [n for n in xen_consts
                                    if n not in our_consts]:
        if one_side("const " + name, name in our_consts, name in xen_consts):
            common.append(name)
    strings = [n for n in common if our_consts[n].startswith('"')]
    ints_ours = probe_ints(OURS_TU, OURS_FLAGS,
                           [n for n in common if n not in strings])
    ints_xen = probe_ints(XEN_TU, XEN_FLAGS, ints_ours)
    for name in common:
        if name in strings:
            entries.append("ABI_STR(%s)" % name)
        elif name in ints_xen:
            entries.append("ABI_CONST(%s)" % name)
        else:
            skipped.append(name)

    entries += EXTRAS

    unexplained = [i for i in xen_only
                   if not any(re.match(p, i) for p, _ in XEN_ONLY)]
    for p, why in XEN_ONLY:
        hits = [i for i in xen_only if re.match(p, i)]
        if not hits:
            print("note: XEN_ONLY pattern matches nothing: " + p)
    print("pvabi only (review):")
    for i in ours_only:
        print("  " + i)
    print("both, but not a constant expression (not compared):")
    for i in skipped:
        print("  " + i)
    for i, why in NOT_COMPARED.items():
        print("not compared: %s (%s)" % (i, why))
    if unexplained:
        print("Xen only, not in XEN_ONLY:")
        for i in unexplained:
            print("  " + i)
        sys.exit(1)

    with open(OUT, "w") as f:
        f.write("/*\n * Generated by tests/unit/gen_abi_list.py: do not "
                "edit. Everything pvabi\n * and Xen 4.17's public headers "
                "both define, as X-macros (see\n * abi_table.h). "
                "%d entries.\n */\n" % len(entries))
        f.write("/* clang-format off */\n")
        for e in entries:
            f.write(e + "\n")
        f.write("/* clang-format on */\n")
    print("%s: %d entries, %d Xen-only items explained" %
          (OUT, len(entries), len(xen_only)))


if __name__ == "__main__":
    main()
