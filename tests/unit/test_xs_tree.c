/* Unit tests for the xenstore tree: nodes, paths, the node requests. */
#include "xs_test.h"

static struct xs_conn *c;

static void setup(void)
{
	xt_new_store();
	c = xt_dom0();
}

static void test_initial_tree(void)
{
	setup();
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/"), "tool|");
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/tool"), "xenstored|");
	EXPECT(PERMS(c, "/"), "n0|");
	EXPECT(READ(c, "/tool/xenstored"), "");
	CU_ASSERT_EQUAL(xs_store_nodes(st), 3);
}

static void test_write_read(void)
{
	setup();
	EXPECT(WRITE(c, "/a/b/c", "v"), "OK|");
	EXPECT(READ(c, "/a/b/c"), "v");
	EXPECT(READ(c, "/a/b"), "");
	EXPECT(READ(c, "/a"), "");
	EXPECT(WRITE(c, "/a/b/c", "w"), "OK|");
	EXPECT(READ(c, "/a/b/c"), "w");
	EXPECT(READ(c, "/a/x"), "!ENOENT");
	/* values are binary */
	EXPECT(xt_raw(c, XS_WRITE, 0, "/bin\0a\0b", 8), "OK|");
	EXPECT(READ(c, "/bin"), "a|b");
	EXPECT(xt_raw(c, XS_WRITE, 0, "/e\0", 3), "OK|");
	EXPECT(READ(c, "/e"), "");
	/* dom0's relative paths live below /local/domain/0 */
	EXPECT(WRITE(c, "rel", "r"), "OK|");
	EXPECT(READ(c, "/local/domain/0/rel"), "r");
	EXPECT(PERMS(c, "/a/b/c"), "n0|");
}

static void test_bad_paths(void)
{
	static const char *const bad[] = {
	    "", "/a/", "//a", "/a//b", "/a b", "/a.b", "@x", "/a\\b", "/é"};

	setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT(READ(c, bad[i]), "!EINVAL");
		EXPECT(WRITE(c, bad[i], "x"), "!EINVAL");
	}
	EXPECT(READ(c, "/a-b_c@d"), "!ENOENT"); /* all valid characters */
	EXPECT(xt_raw(c, XS_READ, 0, "/tool", 5), "!EINVAL"); /* no NUL */
	EXPECT(xt_raw(c, XS_READ, 0, "/tool\0x\0", 8), "!EINVAL");
	EXPECT(xt_raw(c, XS_READ, 0, "", 0), "!EINVAL");
	EXPECT(xt_raw(c, XS_WRITE, 0, "/a", 2), "!EINVAL");
}

static void test_path_max(void)
{
	char p[2200];

	setup();
	memset(p, 'a', sizeof(p));
	p[0] = '/';
	p[2048] = 0;
	EXPECT(WRITE(c, p, "x"), "OK|");
	p[2048] = 'a';
	p[2049] = 0;
	EXPECT(WRITE(c, p, "x"), "!EINVAL");
	/* below /local/domain/N/ the limit counts from there */
	snprintf(p, sizeof(p), "/local/domain/0/");
	memset(p + 16, 'b', 2048);
	p[16 + 2048] = 0;
	EXPECT(WRITE(c, p, "x"), "OK|");
}

static void test_mkdir_rm(void)
{
	setup();
	EXPECT(xt_req(c, XS_MKDIR, 0, 1, "/m/n/o"), "OK|");
	EXPECT(READ(c, "/m/n/o"), "");
	EXPECT(WRITE(c, "/m/n", "keep"), "OK|");
	EXPECT(xt_req(c, XS_MKDIR, 0, 1, "/m/n"), "OK|");
	EXPECT(READ(c, "/m/n"), "keep");
	EXPECT(xt_req(c, XS_RM, 0, 1, "/m/x"), "OK|");	     /* absent */
	EXPECT(xt_req(c, XS_RM, 0, 1, "/m/x/y"), "!ENOENT"); /* no parent */
	EXPECT(xt_req(c, XS_RM, 0, 1, "/"), "!EINVAL");
	EXPECT(xt_req(c, XS_RM, 0, 1, "/m"), "OK|");
	EXPECT(READ(c, "/m/n/o"), "!ENOENT");
	EXPECT(READ(c, "/m"), "!ENOENT");
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/"), "tool|");
	CU_ASSERT_EQUAL(xs_store_nodes(st), 3);
}

static void test_directory_order(void)
{
	setup();
	WRITE(c, "/d/zeta", "");
	WRITE(c, "/d/alpha", "");
	WRITE(c, "/d/mid", "");
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/d"), "zeta|alpha|mid|");
	xt_req(c, XS_RM, 0, 1, "/d/alpha");
	WRITE(c, "/d/alpha", "");
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/d"), "zeta|mid|alpha|");
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/d/mid"), "");
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/nope"), "!ENOENT");
}

/* DIRECTORY_PART: generation, then names from a byte offset, an empty
 * string once the list is complete. */
static void test_directory_part(void)
{
	char name[32], want[64];
	const char *r;

	setup();
	WRITE(c, "/d/a", "");
	WRITE(c, "/d/bb", "");
	r = xt_req(c, XS_DIRECTORY_PART, 0, 2, "/d", "0");
	CU_ASSERT_PTR_NOT_NULL(strchr(r, '|'));
	EXPECT(strchr(r, '|') + 1, "a|bb||");
	r = xt_req(c, XS_DIRECTORY_PART, 0, 2, "/d", "2");
	EXPECT(strchr(r, '|') + 1, "bb||");
	r = xt_req(c, XS_DIRECTORY_PART, 0, 2, "/d", "5");
	EXPECT(strchr(r, '|') + 1, "|");
	EXPECT(xt_req(c, XS_DIRECTORY_PART, 0, 1, "/d"), "!EINVAL");
	/* a list longer than one reply comes in parts */
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "/big/child-%04d", i);
		WRITE(c, name, "");
	}
	EXPECT(xt_req(c, XS_DIRECTORY, 0, 1, "/big"), "!E2BIG");
	r = xt_req(c, XS_DIRECTORY_PART, 0, 2, "/big", "0");
	CU_ASSERT(strlen(r) < 4096 && strstr(r, "child-0000|"));
	CU_ASSERT(r[strlen(r) - 1] == '|' && r[strlen(r) - 2] != '|');
	snprintf(want, sizeof(want), "child-0599||");
	r = xt_req(c, XS_DIRECTORY_PART, 0, 2, "/big", "6000");
	CU_ASSERT(strlen(r) > strlen(want) &&
		  !strcmp(r + strlen(r) - strlen(want), want));
}

static void test_misc_requests(void)
{
	setup();
	EXPECT(xt_req(c, XS_GET_DOMAIN_PATH, 0, 1, "7"), "/local/domain/7|");
	EXPECT(xt_req(c, XS_GET_DOMAIN_PATH, 0, 1, "x"), "/local/domain/0|");
	EXPECT(xt_raw(c, XS_GET_DOMAIN_PATH, 0, "", 0), "!EINVAL");
	EXPECT(xt_req(c, XS_IS_DOMAIN_INTRODUCED, 0, 1, "0"), "T|");
	EXPECT(xt_req(c, XS_IS_DOMAIN_INTRODUCED, 0, 1, "4"), "F|");
	EXPECT(xt_raw(c, 99, 0, "", 0), "!ENOSYS");
	EXPECT(xt_raw(c, 20, 0, "", 0), "!ENOSYS");
	EXPECT(xt_raw(c, XS_ERROR, 0, "", 0), "!ENOSYS");
	EXPECT(xt_raw(c, XS_WATCH_EVENT, 0, "", 0), "!ENOSYS");
	EXPECT(xt_req(c, XS_GET_FEATURE, 0, 0), "0|");
	EXPECT(xt_req(c, XS_RESET_WATCHES, 0, 0), "OK|");
	EXPECT(xt_req(c, XS_CONTROL, 0, 1, "check"), "OK|");
	EXPECT(xt_req(c, XS_CONTROL, 0, 1, "nonsense"), "!EINVAL");
	EXPECT(xt_raw(c, XS_CONTROL, 0, "", 0), "!EINVAL");
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(xt_req(c, XS_CONTROL, 0, 1, "help"), "quota"));
	EXPECT(xs_errname(ESRCH), "EINVAL");
	EXPECT(xs_errname(EAGAIN), "EAGAIN");
}

/* The stream parser: whole, split and malformed messages. */
static void test_stream_input(void)
{
	uint8_t msg[64];
	struct xsd_sockmsg h = {XS_READ, 5, 0, 6};
	struct xs_conn *s;
	char text[64];

	setup();
	memcpy(msg, &h, 16);
	memcpy(msg + 16, "/tool", 6);
	for (size_t i = 0; i < 22; i++) /* byte by byte */
		CU_ASSERT_EQUAL(xs_conn_input(c, msg + i, 1), 0);
	CU_ASSERT_EQUAL(xt_next(c, &h, text, sizeof(text)), 0);
	CU_ASSERT_EQUAL(h.req_id, 5);
	EXPECT(text, "");
	s = xt_dom0();
	h = (struct xsd_sockmsg){XS_READ, 6, 0, 4097};
	CU_ASSERT_EQUAL(xs_conn_input(s, &h, 16), -EPROTO);
	CU_ASSERT(xs_conn_dead(s));
	CU_ASSERT_EQUAL(xt_next(s, &h, text, sizeof(text)), 0);
	EXPECT(text, "!E2BIG");
	xs_conn_free(s);
}

static void test_privileged_helpers(void)
{
	char *v;
	size_t len;

	setup();
	CU_ASSERT_EQUAL(xs_sys_write(st, "/s/a", "1", 1, "n0\0r3\0", 6), 0);
	EXPECT(PERMS(c, "/s/a"), "n0|r3|");
	CU_ASSERT_EQUAL(xs_sys_mkdir(st, "/s/d", "n3\0", 3), 0);
	EXPECT(PERMS(c, "/s/d"), "n3|");
	v = xs_sys_read(st, "/s/a", &len);
	CU_ASSERT(v && len == 1 && !strcmp(v, "1"));
	free(v);
	CU_ASSERT_PTR_NULL(xs_sys_read(st, "/s/none", NULL));
	CU_ASSERT_EQUAL(xs_sys_rm(st, "/s"), 0);
	EXPECT(READ(c, "/s/a"), "!ENOENT");
	CU_ASSERT_EQUAL(xs_sys_write(st, "bad", "", 0, NULL, 0), -EINVAL);
}

static CU_TestInfo tests[] = {
    {"initial tree", test_initial_tree},
    {"write and read", test_write_read},
    {"bad paths", test_bad_paths},
    {"path-max", test_path_max},
    {"mkdir and rm", test_mkdir_rm},
    {"directory order", test_directory_order},
    {"directory part", test_directory_part},
    {"misc requests", test_misc_requests},
    {"stream input", test_stream_input},
    {"privileged helpers", test_privileged_helpers},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = unit_run("xs_tree", tests);

	xs_store_free(st);
	return rc;
}
