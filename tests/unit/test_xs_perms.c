/*
 * Unit tests for xenstore permissions: owners and ACLs, inheritance,
 * what a guest may learn, owner changes, stale entries of vanished
 * domains, special watches, watch events filtered by permission.
 */
#include "xs_test.h"

static struct xs_conn *d0, *g5, *g7;

static void setup(void)
{
	xt_new_store();
	d0 = xt_dom0();
	g5 = xt_guest(5);
	g7 = xt_guest(7);
	WRITE(d0, "/local/domain/5", "");
	xt_chmod(d0, "/local/domain/5", "n0", "r5", NULL);
	xt_req(d0, XS_MKDIR, 0, 1, "/local/domain/5/data");
	xt_chmod(d0, "/local/domain/5/data", "n5", NULL, NULL);
}

static void test_owner_and_acl(void)
{
	setup();
	EXPECT(READ(g5, "/local/domain/5"), "");	      /* r5 */
	EXPECT(WRITE(g5, "/local/domain/5", "x"), "!EACCES"); /* not w */
	EXPECT(READ(g7, "/local/domain/5"), "!EACCES");	      /* n0 */
	EXPECT(WRITE(g5, "data/a", "v"), "OK|");	      /* owner */
	EXPECT(PERMS(g5, "data/a"), "n5|");
	EXPECT(READ(g7, "/local/domain/5/data/a"), "!EACCES");
	WRITE(d0, "/shared", "s");
	xt_chmod(d0, "/shared", "n0", "w7", "b5");
	EXPECT(READ(g5, "/shared"), "s");
	EXPECT(WRITE(g5, "/shared", "t"), "OK|");
	EXPECT(READ(g7, "/shared"), "!EACCES"); /* write only */
	EXPECT(WRITE(g7, "/shared", "u"), "OK|");
	/* the first entry is the default for everyone not listed */
	xt_chmod(d0, "/shared", "r0", "w7", NULL);
	EXPECT(READ(g5, "/shared"), "u");
	EXPECT(WRITE(g5, "/shared", "x"), "!EACCES");
	/* dom0 may do anything */
	EXPECT(READ(d0, "/local/domain/5/data/a"), "v");
}

static void test_inheritance(void)
{
	setup();
	WRITE(d0, "/pub", "");
	xt_chmod(d0, "/pub", "n0", "b5", "r7");
	EXPECT(WRITE(g5, "/pub/mine/deep", "x"), "OK|");
	/* unprivileged creators own what they create, keeping the ACL */
	EXPECT(PERMS(d0, "/pub/mine"), "n5|b5|r7|");
	EXPECT(PERMS(d0, "/pub/mine/deep"), "n5|b5|r7|");
	EXPECT(WRITE(d0, "/pub/byd0", "y"), "OK|");
	EXPECT(PERMS(d0, "/pub/byd0"), "n0|b5|r7|");
	EXPECT(READ(g7, "/pub/mine/deep"), "x");
}

/* A domain must not learn whether a node it may not read exists. */
static void test_hidden_existence(void)
{
	setup();
	WRITE(d0, "/secret/child", "x");
	xt_chmod(d0, "/secret", "n0", NULL, NULL);
	EXPECT(READ(g5, "/secret/child"), "!EACCES"); /* n0 inherited */
	EXPECT(READ(g5, "/secret/nothing"), "!EACCES");
	EXPECT(READ(g5, "/secret/no/thing"), "!EACCES");
	EXPECT(READ(g5, "data/nothing"), "!ENOENT"); /* readable parent */
	EXPECT(WRITE(g5, "/secret/new", "x"), "!EACCES");
	EXPECT(xt_req(g5, XS_RM, 0, 1, "/secret/child"), "!EACCES");
	EXPECT(xt_req(g5, XS_RM, 0, 1, "/secret/nothing"), "!EACCES");
	EXPECT(xt_req(g5, XS_DIRECTORY, 0, 1, "/"), "!EACCES");
	/* reading needs r on the node itself, not on its parents */
	xt_chmod(d0, "/secret/child", "n0", "r5", NULL);
	EXPECT(READ(g5, "/secret/child"), "x");
}

static void test_set_perms(void)
{
	setup();
	WRITE(g5, "data/a", "");
	EXPECT(xt_chmod(g5, "data/a", "n5", "r7", NULL), "OK|");
	EXPECT(READ(g7, "/local/domain/5/data/a"), "");
	EXPECT(xt_chmod(g5, "data/a", "n7", NULL, NULL), "!EPERM");
	EXPECT(xt_chmod(g7, "/local/domain/5/data/a", "n7", NULL, NULL),
	       "!EACCES");
	EXPECT(xt_chmod(d0, "/local/domain/5/data/a", "n7", NULL, NULL),
	       "OK|"); /* only dom0 changes owners */
	EXPECT(PERMS(d0, "/local/domain/5/data/a"), "n7|");
	/* parsing: r/w/b/n and a number, strtol base 0 */
	EXPECT(xt_chmod(d0, "/local/domain/5", "b0x10", "w010", NULL), "OK|");
	EXPECT(PERMS(d0, "/local/domain/5"), "b16|w8|");
	EXPECT(xt_chmod(d0, "/local/domain/5", "x1", NULL, NULL), "!EINVAL");
	EXPECT(xt_chmod(d0, "/local/domain/5", "r", NULL, NULL), "!EINVAL");
	EXPECT(xt_chmod(d0, "/local/domain/5", "r5z", NULL, NULL), "!EINVAL");
	EXPECT(xt_req(d0, XS_SET_PERMS, 0, 1, "/local/domain/5"), "!EINVAL");
	/* an owner that cannot exist */
	EXPECT(xt_chmod(d0, "/local/domain/5", "n40000", NULL, NULL),
	       "!ENOENT");
	EXPECT(xt_chmod(d0, "/nope", "n0", NULL, NULL), "!ENOENT");
}

/* Xen (XSA-322): an ACL entry of a domain that went away must not let a
 * new domain with the same id in. */
static void test_stale_acl(void)
{
	struct xs_conn *g;

	setup();
	WRITE(d0, "/acl", "v");
	xt_chmod(d0, "/acl", "n0", "r9", NULL);
	g = xt_guest(9);
	EXPECT(READ(g, "/acl"), "v");
	xs_domain_release(st, 9);
	WRITE(d0, "/other", "x");
	g = xt_guest(9); /* a new domain 9 */
	EXPECT(READ(g, "/acl"), "!EACCES");
	WRITE(d0, "/acl", "w"); /* rewriting keeps the entry ignored */
	EXPECT(READ(g, "/acl"), "!EACCES");
	EXPECT(PERMS(d0, "/acl"), "n0|r9|");
	xt_chmod(d0, "/acl", "n0", "r9", NULL); /* granted anew */
	EXPECT(READ(g, "/acl"), "w");
}

static void test_privileged_ops(void)
{
	static const uint32_t priv[] = {
	    XS_CONTROL,	   XS_INTRODUCE,  XS_RELEASE,	XS_IS_DOMAIN_INTRODUCED,
	    XS_RESUME,	   XS_SET_TARGET, XS_SET_QUOTA, XS_GET_QUOTA,
	    XS_SET_FEATURE};

	setup();
	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		EXPECT(xt_req(g5, priv[i], 0, 3, "5", "0", "1"), "!EACCES");
	EXPECT(xt_req(g5, XS_GET_DOMAIN_PATH, 0, 1, "5"), "/local/domain/5|");
	EXPECT(xt_req(g5, XS_GET_FEATURE, 0, 0), "0|");
	EXPECT(xt_req(g5, XS_GET_FEATURE, 0, 1, "5"), "!EACCES");
}

static void test_set_target(void)
{
	setup();
	WRITE(g5, "data/t", "5's");
	EXPECT(READ(g7, "/local/domain/5/data/t"), "!EACCES");
	EXPECT(xt_req(d0, XS_SET_TARGET, 0, 2, "7", "5"), "OK|");
	EXPECT(READ(g7, "/local/domain/5/data/t"), "5's"); /* as owner */
	EXPECT(READ(g7, "/local/domain/5"), "");	   /* r5 applies */
	EXPECT(xt_req(d0, XS_SET_TARGET, 0, 2, "7", "8"), "!ENOENT");
}

static void test_watch_visibility(void)
{
	setup();
	xt_req(g5, XS_WATCH, 0, 2, "/", "all");
	EXPECT(xt_event(g5), "/|all|");
	WRITE(d0, "/open", "");
	xt_chmod(d0, "/open", "n0", "r5", NULL);
	EXPECT(xt_event(g5), "/open|all|"); /* readable after the change */
	WRITE(d0, "/closed", "");
	EXPECT(xt_event(g5), ""); /* n0, parent "/" n0 */
	WRITE(d0, "/open/kid", "x");
	EXPECT(xt_event(g5), "/open/kid|all|"); /* parent readable */
	xt_chmod(d0, "/open", "n0", NULL, NULL);
	EXPECT(xt_event(g5), "/open|all|"); /* could read it before */
	xt_req(d0, XS_RM, 0, 1, "/open");
	EXPECT(xt_event(g5), "");
	/* relative watches hear relative paths */
	xt_req(g5, XS_WATCH, 0, 2, "data", "rel");
	EXPECT(xt_event(g5), "data|rel|");
	WRITE(d0, "/local/domain/5/data/x", "");
	EXPECT(xt_event(g5), "/local/domain/5/data/x|all|");
	EXPECT(xt_event(g5), "data/x|rel|");
}

static void test_special_watches(void)
{
	setup();
	xt_req(g5, XS_WATCH, 0, 2, "@introduceDomain", "i");
	xt_req(d0, XS_WATCH, 0, 2, "@introduceDomain", "i0");
	EXPECT(xt_event(g5), "@introduceDomain|i|"); /* its own watch */
	EXPECT(xt_event(d0), "@introduceDomain|i0|");
	xt_guest(11);
	EXPECT(xt_event(d0), "@introduceDomain|i0|");
	EXPECT(xt_event(g5), ""); /* needs read permission */
	EXPECT(xt_req(g5, XS_SET_PERMS, 0, 3, "@introduceDomain", "n0", "r5"),
	       "!EACCES");
	EXPECT(xt_req(d0, XS_SET_PERMS, 0, 3, "@introduceDomain", "n0", "r5"),
	       "OK|");
	xt_guest(12);
	EXPECT(xt_event(g5), "@introduceDomain|i|");
	EXPECT(xt_event(d0), "@introduceDomain|i0|");

	EXPECT(xt_req(d0, XS_SET_PERMS, 0, 2, "@other", "n0"), "!EINVAL");
	EXPECT(xt_req(d0, XS_GET_PERMS, 0, 1, "@introduceDomain"), "!EINVAL");
	/* @releaseDomain: on release and once per shutdown */
	xt_req(d0, XS_WATCH, 0, 2, "@releaseDomain", "r");
	EXPECT(xt_event(d0), "@releaseDomain|r|");
	xs_domain_shutdown(st, 11);
	xs_domain_shutdown(st, 11);
	EXPECT(xt_event(d0), "@releaseDomain|r|");
	EXPECT(xt_event(d0), "");
	EXPECT(xt_req(d0, XS_RESUME, 0, 1, "11"), "OK|");
	xs_domain_shutdown(st, 11);
	EXPECT(xt_event(d0), "@releaseDomain|r|");
	EXPECT(xt_req(d0, XS_RELEASE, 0, 1, "11"), "OK|");
	EXPECT(xt_event(d0), "@releaseDomain|r|");
	EXPECT(xt_req(d0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "11"), "F|");
}

/* Releasing a domain removes the nodes it owns, whoever's below. */
static void test_release_cleanup(void)
{
	setup();
	WRITE(g5, "data/a/b", "");
	WRITE(d0, "/local/domain/5/data/a/byd0", "");
	WRITE(d0, "/elsewhere", "");
	xt_chmod(d0, "/elsewhere", "n5", NULL, NULL);
	xs_domain_release(st, 5);
	EXPECT(READ(d0, "/local/domain/5/data"), "!ENOENT");
	EXPECT(READ(d0, "/elsewhere"), "!ENOENT");
	EXPECT(READ(d0, "/local/domain/5"), ""); /* dom0's */
	EXPECT(xt_req(d0, XS_RELEASE, 0, 1, "5"), "!ENOENT");
	EXPECT(xt_req(d0, XS_RELEASE, 0, 1, "0"), "!EINVAL");
}

static CU_TestInfo tests[] = {
    {"owner and ACL", test_owner_and_acl},
    {"inheritance", test_inheritance},
    {"existence hidden", test_hidden_existence},
    {"set perms", test_set_perms},
    {"stale ACL entries", test_stale_acl},
    {"privileged operations", test_privileged_ops},
    {"set target", test_set_target},
    {"watch visibility", test_watch_visibility},
    {"special watches", test_special_watches},
    {"release cleanup", test_release_cleanup},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = unit_run("xs_perms", tests);

	xs_store_free(st);
	return rc;
}
