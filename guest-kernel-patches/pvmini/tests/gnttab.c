/*
 * Grant-table tests.
 *   gnttab          table set-up (frames in a hole and over RAM),
 *                   versions, copy through a grant to ourselves, swap,
 *                   revoke; with peer=D role=granter|grantee the same
 *                   between two domains (copy both ways, read-only,
 *                   revoke, a grant naming another domain is refused);
 *                   with role=dom0 a page granted to dom0, which dom0
 *                   maps and copies (driven by the test harness)
 *   hostile-gnttab  bad refs, domains, lengths, versions, too many
 *                   frames: the right GNTST_* / Xen errors
 *
 * Conventions between granter and grantee: ref 8 read-write to the peer,
 * ref 9 read-only to the peer, ref 12 to some other domain; the event
 * channel of the evtchn test (server = granter) carries "step" signals.
 */
#include <pvabi/grant_table.h>
#include <pvabi/memory.h>

#include "../pvmini.h"
#include "tests.h"

#define T "gnttab"

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static uint8_t page_ram_frame[4096] __attribute__((aligned(4096)));
static volatile unsigned int steps;

static unsigned long gfn_of(void *p)
{
	return (uintptr_t)p >> 12;
}

static long gt_op(unsigned int cmd, void *arg, unsigned int count)
{
	return HYPERCALL3(__HYPERVISOR_grant_table_op, cmd, arg, count);
}

static int16_t copy1(domid_t sd, uint32_t sref, bool sgref, domid_t dd,
		     uint64_t dref, bool dgref, void *local, uint16_t len)
{
	struct gnttab_copy c = {0};

	c.source.domid = sd;
	c.dest.domid = dd;
	c.source.u.gmfn = gfn_of(local);
	c.dest.u.gmfn = gfn_of(local);
	if (sgref) {
		c.flags |= GNTCOPY_source_gref;
		c.source.u.ref = sref;
	}
	if (dgref) {
		c.flags |= GNTCOPY_dest_gref;
		c.dest.u.ref = (uint32_t)dref;
	}
	c.len = len;
	if (gnttab_copy(&c, 1))
		return -99;
	return c.status;
}

static int table_setup(void)
{
	struct gnttab_query_size q = {.dom = DOMID_SELF};
	struct gnttab_set_version sv = {.version = 2};
	uint64_t frames[2] = {0, 0};
	struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 2};

	if (gt_op(GNTTABOP_query_size, &q, 1) || q.status || q.nr_frames < 1 ||
	    q.max_nr_frames < 2)
		return test_fail(T, "query_size: %d %u/%u", q.status,
				 q.nr_frames, q.max_nr_frames),
		       -1;
	if (gt_op(GNTTABOP_set_version, &sv, 1) != -XEN_ENOSYS ||
	    sv.version != 1)
		return test_fail(T, "set_version 2 accepted"), -1;
	sv.version = 1;
	if (gt_op(GNTTABOP_set_version, &sv, 1))
		return test_fail(T, "set_version 1 refused"), -1;
	/* Frame 0 in a hole, frame 1 over one of our RAM pages. */
	if (gnttab_init(1) || gnttab_map_frame(1, gfn_of(page_ram_frame)))
		return test_fail(T, "placing grant frames"), -1;
	set_xen_guest_handle(st.frame_list, frames);
	if (gt_op(GNTTABOP_setup_table, &st, 1) || st.status ||
	    frames[0] != 0xd0000 || frames[1] != gfn_of(page_ram_frame))
		return test_fail(T, "setup_table: %d 0x%lx 0x%lx", st.status,
				 frames[0], frames[1]),
		       -1;
	return 0;
}

/* One GNTTABOP_copy call mixing good and bad ops: each op gets its own
 * status, the good ones copy, no grant stays in use. Ref 5 is granted
 * read-only to ourselves, for page_a. */
static int mixed_batch(void)
{
	static const int16_t want[] = {
	    GNTST_okay, GNTST_bad_gntref,	 GNTST_bad_copy_arg,
	    GNTST_okay, GNTST_permission_denied, GNTST_bad_domain,
	};
	struct gnttab_copy c[ARRAY_SIZE(want)];
	struct gnttab_copy_ptr ref5 = {.u.ref = 5, .domid = DOMID_SELF};
	struct gnttab_copy_ptr pa = {.u.gmfn = gfn_of(page_a),
				     .domid = DOMID_SELF};
	struct gnttab_copy_ptr pb = {.u.gmfn = gfn_of(page_b),
				     .domid = DOMID_SELF};

	memset(page_b, 0, sizeof(page_b));
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		c[i] = (struct gnttab_copy){.source = ref5,
					    .dest = pb,
					    .len = 4096,
					    .flags = GNTCOPY_source_gref,
					    .status = 99};
	c[1].source.u.ref = 5000; /* beyond the table */
	c[2].source.offset = 8;	  /* past the page end */
	c[3].len = 100;		  /* ref 5 again */
	c[4].source = pa;	  /* into the read-only grant */
	c[4].dest = ref5;
	c[4].flags = GNTCOPY_dest_gref;
	c[5].source.domid = 0x7fe0; /* no such domain */
	if (gnttab_copy(c, ARRAY_SIZE(c)))
		return test_fail(T, "mixed batch refused"), -1;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		if (c[i].status != want[i])
			return test_fail(T,
					 "mixed batch: op %zu status %d, "
					 "want %d",
					 i, c[i].status, want[i]),
			       -1;
	if (memcmp(page_a, page_b, 4096))
		return test_fail(T, "mixed batch: good ops did not copy"), -1;
	if (gnt_table[5].flags & (GTF_reading | GTF_writing))
		return test_fail(T, "mixed batch left ref 5 in use"), -1;
	return 0;
}

static int self_grants(void)
{
	domid_t self = xen_domid();
	struct gnttab_swap_grant_ref sw = {.ref_a = 5, .ref_b = 600};
	volatile struct grant_entry_v1 *frame1 = (void *)page_ram_frame;

	memset(page_a, 0xa5, sizeof(page_a));
	memset(page_b, 0, sizeof(page_b));
	gnttab_grant(5, self, gfn_of(page_a), true);
	if (copy1(DOMID_SELF, 5, true, DOMID_SELF, 0, false, page_b, 4096) ||
	    memcmp(page_a, page_b, 4096))
		return test_fail(T, "copy through a grant to ourselves"), -1;
	if (gnt_table[5].flags & (GTF_reading | GTF_writing))
		return test_fail(T, "in-use bits left after a copy"), -1;
	if (mixed_batch() < 0)
		return -1;
	/* Ref 600 lives in frame 1, which is our RAM page page_ram_frame:
	 * swap moves the grant there. */
	if (gt_op(GNTTABOP_swap_grant_ref, &sw, 1) || sw.status ||
	    frame1[600 - 512].frame != gfn_of(page_a) || gnt_table[5].flags)
		return test_fail(T, "swap_grant_ref: %d", sw.status), -1;
	if (copy1(DOMID_SELF, 600, true, DOMID_SELF, 0, false, page_b, 8))
		return test_fail(T, "grant in a frame over RAM unusable"), -1;
	frame1[600 - 512].flags = 0; /* revoke (not in use) */
	if (copy1(DOMID_SELF, 600, true, DOMID_SELF, 0, false, page_b, 8) !=
	    GNTST_permission_denied)
		return test_fail(T, "revoked grant still usable"), -1;
	return 0;
}

static void on_step(evtchn_port_t port, void *arg)
{
	(void)port;
	(void)arg;
	steps++;
}

static bool wait_step(unsigned int want)
{
	uint64_t limit = xen_now() + 20000000000ull;

	while (steps < want && xen_now() < limit)
		block_until(xen_now() + 1000000);
	return steps >= want;
}

static int granter(domid_t peer, evtchn_port_t p)
{
	memset(page_a, 0x11, sizeof(page_a));
	memset(page_b, 0x22, sizeof(page_b));
	gnttab_grant(8, peer, gfn_of(page_a), false);
	gnttab_grant(9, peer, gfn_of(page_b), true);
	gnttab_grant(12, (domid_t)(peer + 100), gfn_of(page_b), false);
	evtchn_send(p); /* step 1: grants ready */
	if (!wait_step(1))
		return test_fail(T, "grantee never finished copying"), -1;
	if (page_a[0] != 0x33 || page_a[4095] != 0x33 || page_b[0] != 0x22)
		return test_fail(T, "grantee's writes: 0x%x 0x%x", page_a[0],
				 page_b[0]),
		       -1;
	if (gnttab_end(8) || gnttab_end(9))
		return test_fail(T, "revoke refused (in use?)"), -1;
	evtchn_send(p); /* step 2: revoked */
	if (!wait_step(2))
		return test_fail(T, "grantee never checked the revoke"), -1;
	return 0;
}

static int grantee(domid_t peer, evtchn_port_t p)
{
	int16_t st;

	if (!wait_step(1))
		return test_fail(T, "granter never granted"), -1;
	if (copy1(peer, 8, true, DOMID_SELF, 0, false, page_a, 4096) ||
	    page_a[0] != 0x11 || page_a[4095] != 0x11)
		return test_fail(T, "copy from the peer's grant"), -1;
	memset(page_a, 0x33, sizeof(page_a));
	if (copy1(DOMID_SELF, 0, false, peer, 8, true, page_a, 4096))
		return test_fail(T, "copy into the peer's grant"), -1;
	st = copy1(DOMID_SELF, 0, false, peer, 9, true, page_a, 16);
	if (st != GNTST_permission_denied)
		return test_fail(T, "write to a read-only grant: %d", st), -1;
	st = copy1(peer, 12, true, DOMID_SELF, 0, false, page_a, 16);
	if (st != GNTST_permission_denied)
		return test_fail(T, "used a grant meant for another domain: %d",
				 st),
		       -1;
	evtchn_send(p); /* done copying */
	if (!wait_step(2))
		return test_fail(T, "granter never revoked"), -1;
	st = copy1(peer, 8, true, DOMID_SELF, 0, false, page_a, 16);
	if (st != GNTST_permission_denied)
		return test_fail(T, "revoked grant still usable: %d", st), -1;
	evtchn_send(p);
	return 0;
}

/* Waits until the peer has bound our port (a send before that is lost). */
static int wait_bound(evtchn_port_t p)
{
	uint64_t limit = xen_now() + 10000000000ull;
	struct evtchn_status st = {.dom = DOMID_SELF, .port = p};

	do {
		if (HYPERCALL2(__HYPERVISOR_event_channel_op, EVTCHNOP_status,
			       &st))
			return -1;
		if (st.status == EVTCHNSTAT_interdomain)
			return 0;
		delay_ns(1000000);
	} while (xen_now() < limit);
	return -1;
}

/* Two domains, over the event channel of the evtchn ping-pong (the
 * granter allocates it, the grantee binds it). */
static int with_peer(domid_t peer, bool is_granter)
{
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF,
					  .remote_dom = peer};
	evtchn_port_t p;
	int rc;

	if (is_granter) {
		if (HYPERCALL2(__HYPERVISOR_event_channel_op,
			       EVTCHNOP_alloc_unbound, &au))
			return test_fail(T, "alloc_unbound"), -1;
		p = au.port;
	} else {
		rc = bind_peer(peer, &p);
		if (rc)
			return test_fail(T, "bind to d%u: %d", peer, rc), -1;
	}
	steps = 0;
	evtchn_bind(p, on_step, NULL);
	evtchn_unmask(p);
	if (is_granter && wait_bound(p) < 0)
		return test_fail(T, "d%u never bound the channel", peer), -1;
	rc = is_granter ? granter(peer, p) : grantee(peer, p);
	evtchn_close(p);
	return rc;
}

/*
 * A page for dom0: ref 10 read-write, a port for dom0. The harness maps
 * the grant (checking 0x44), writes 0x55 into the first half through the
 * map and 0x66 into the second half with a grant copy, copies the page
 * back out, then signals; we check its writes and that the pins are gone.
 */
static int with_dom0(void)
{
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = 0};

	memset(page_a, 0x44, sizeof(page_a));
	gnttab_grant(10, 0, gfn_of(page_a), false);
	if (HYPERCALL2(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
		       &au))
		return test_fail(T, "alloc_unbound for dom0"), -1;
	steps = 0;
	evtchn_bind(au.port, on_step, NULL);
	evtchn_unmask(au.port);
	printf("GNTTAB-DOM0 port=%u ref=10\n", au.port);
	if (!wait_step(1))
		return test_fail(T, "dom0 never signalled"), -1;
	if (page_a[0] != 0x55 || page_a[2047] != 0x55 || page_a[2048] != 0x66 ||
	    page_a[4095] != 0x66)
		return test_fail(T, "dom0's writes: 0x%x 0x%x", page_a[0],
				 page_a[4095]),
		       -1;
	if (gnttab_end(10))
		return test_fail(T, "grant still in use after dom0 unmapped"),
		       -1;
	evtchn_send(au.port);
	evtchn_close(au.port);
	return 0;
}

void test_gnttab(void)
{
	char role[16];
	unsigned long peer = cmdline_num("peer", 0);

	if (table_setup() < 0 || self_grants() < 0)
		return;
	cmdline_opt("role", role, sizeof(role));
	if (!strcmp(role, "dom0") && with_dom0() < 0)
		return;
	if (peer && with_peer((domid_t)peer, !strcmp(role, "granter") ||
						 !strcmp(role, "server")) < 0)
		return;
	test_pass(T);
}

#undef T
#define H "hostile-gnttab"

void test_hostile_gnttab(void)
{
	struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 65};
	struct gnttab_query_size q = {.dom = 0x7fe0};
	struct gnttab_swap_grant_ref sw = {.ref_a = 1u << 30, .ref_b = 0};
	uint32_t bad_refs[] = {1u << 20, 0xffffffffu, 64 * 512};
	int16_t s;

	if (gnttab_init(1))
		return test_fail(H, "grant frame 0");
	if (gt_op(GNTTABOP_setup_table, &st, 1) ||
	    st.status != GNTST_general_error)
		return test_fail(H, "65 frames: status %d", st.status);
	if (gt_op(GNTTABOP_setup_table, &st, 2) != -XEN_EINVAL)
		return test_fail(H, "setup_table with count 2 accepted");
	if (gt_op(GNTTABOP_query_size, &q, 1) || q.status != GNTST_bad_domain)
		return test_fail(H, "query_size of d0x7fe0: %d", q.status);
	if (gnttab_map_frame(64, 0xd1000) != -XEN_EINVAL ||
	    gnttab_map_frame(0x80000000u, 0xd1000) != -XEN_EINVAL)
		return test_fail(H, "frame 64 / status frame accepted");
	if (gnttab_map_frame(0, 0xfee00) != -XEN_EINVAL)
		return test_fail(H, "grant frame over the LAPIC accepted");
	for (size_t i = 0; i < ARRAY_SIZE(bad_refs); i++) {
		s = copy1(DOMID_SELF, bad_refs[i], true, DOMID_SELF, 0, false,
			  page_a, 8);
		if (s != GNTST_bad_gntref)
			return test_fail(H, "ref 0x%x: %d", bad_refs[i], s);
	}
	s = copy1(0x7fe0, 1, true, DOMID_SELF, 0, false, page_a, 8);
	if (s != GNTST_bad_domain)
		return test_fail(H, "missing domain: %d", s);
	s = copy1(0, 1, true, DOMID_SELF, 0, false, page_a, 8);
	if (s != GNTST_permission_denied)
		return test_fail(H, "dom0 grant: %d", s);
	s = copy1(DOMID_SELF, 1, true, DOMID_SELF, 0, false, page_a, 4097);
	if (s != GNTST_bad_copy_arg)
		return test_fail(H, "4097-byte copy: %d", s);
	s = copy1(DOMID_SELF, 0, false, DOMID_SELF, 0, false,
		  (void *)0xe0000000ul, 8);
	if (s != GNTST_bad_page)
		return test_fail(H, "copy from a hole: %d", s);
	s = copy1(0x7fe0, 0, false, DOMID_SELF, 0, false, page_a, 8);
	if (s != GNTST_permission_denied)
		return test_fail(H, "frame of another domain: %d", s);
	if (gt_op(GNTTABOP_copy, (void *)0x700000000000ul, 3) != -XEN_EFAULT)
		return test_fail(H, "unmapped copy list not -EFAULT");
	if (gt_op(GNTTABOP_swap_grant_ref, &sw, 1) ||
	    sw.status != GNTST_bad_gntref)
		return test_fail(H, "swap with a bad ref: %d", sw.status);
	if (gt_op(GNTTABOP_get_status_frames, &sw, 1) != -XEN_EINVAL)
		return test_fail(H, "get_status_frames in version 1");
	/* Every frame the domain may have, all in holes. */
	for (unsigned int i = 0; i < 64; i++)
		if (gnttab_map_frame(i, 0xd2000 + i))
			return test_fail(H, "frame %u refused", i);
	s = copy1(DOMID_SELF, 64 * 512 - 1, true, DOMID_SELF, 0, false, page_a,
		  8);
	if (s != GNTST_permission_denied)
		return test_fail(H, "last entry of 64 frames: %d", s);
	test_pass(H);
}
