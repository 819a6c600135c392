/* Unit tests for libpvstore's pure parts: messages, perms, paths, errors,
 * escapes (no daemon; see test_pvstore_conn for the connection). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvstore/wire.h>

#include "unit.h"

/* ------------------------------------------------------------ requests */

static void test_req_build(void)
{
	struct pvstore_req r;

	pvstore_req_init(&r, XS_WRITE, 7);
	CU_ASSERT_EQUAL(pvstore_req_str(&r, "/a/b"), 0);
	CU_ASSERT_EQUAL(pvstore_req_raw(&r, "xy", 2), 0);
	CU_ASSERT_EQUAL(r.hdr.type, XS_WRITE);
	CU_ASSERT_EQUAL(r.hdr.tx_id, 7);
	CU_ASSERT_EQUAL(r.hdr.len, 7);
	CU_ASSERT(memcmp(r.payload, "/a/b\0xy", 7) == 0);
	CU_ASSERT_EQUAL(pvstore_req_size(&r), 16 + 7);
	/* The header and payload are one contiguous buffer. */
	CU_ASSERT_PTR_EQUAL((char *)&r.hdr + 16, r.payload);

	pvstore_req_init(&r, XS_INTRODUCE, 0);
	pvstore_req_num(&r, 3);
	pvstore_req_num(&r, 0xfeffeULL);
	pvstore_req_num(&r, 0);
	CU_ASSERT_EQUAL(r.hdr.len, 2 + 8 + 2);
	CU_ASSERT(memcmp(r.payload, "3\0001044478\0000", 12) == 0);
	CU_ASSERT_EQUAL(r.err, 0);
}

static void test_req_limits(void)
{
	static char big[XENSTORE_PAYLOAD_MAX + 1];
	struct pvstore_req r;

	/* Exactly the maximum fits; one byte more is E2BIG, and sticky. */
	pvstore_req_init(&r, XS_WRITE, 0);
	CU_ASSERT_EQUAL(pvstore_req_raw(&r, big, XENSTORE_PAYLOAD_MAX), 0);
	CU_ASSERT_EQUAL(r.hdr.len, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(pvstore_req_raw(&r, "", 0), 0);
	CU_ASSERT_EQUAL(pvstore_req_raw(&r, "x", 1), -E2BIG);
	CU_ASSERT_EQUAL(pvstore_req_str(&r, ""), -E2BIG);
	CU_ASSERT_EQUAL(r.hdr.len, XENSTORE_PAYLOAD_MAX);

	pvstore_req_init(&r, XS_WRITE, 0);
	memset(big, 'a', XENSTORE_PAYLOAD_MAX);
	big[XENSTORE_PAYLOAD_MAX - 1] = 0; /* a 4095-byte string + NUL */
	CU_ASSERT_EQUAL(pvstore_req_str(&r, big), 0);
	CU_ASSERT_EQUAL(pvstore_req_str(&r, ""), -E2BIG);
	CU_ASSERT_EQUAL(r.err, -E2BIG);
	pvstore_req_init(&r, XS_READ, 0);
	CU_ASSERT_EQUAL(r.err, 0); /* init clears it */
}

/* -------------------------------------------------------------- replies */

static void test_reply_status(void)
{
	struct xsd_sockmsg h = {.type = XS_READ, .len = 3};

	CU_ASSERT_EQUAL(pvstore_reply_status(&h, "abc", XS_READ), 0);
	CU_ASSERT_EQUAL(pvstore_reply_status(&h, "abc", XS_WRITE), -EPROTO);
	h.type = XS_ERROR;
	h.len = 7;
	CU_ASSERT_EQUAL(pvstore_reply_status(&h, "ENOENT", XS_READ), -ENOENT);
	h.len = 6; /* without its NUL */
	CU_ASSERT_EQUAL(pvstore_reply_status(&h, "EACCESx", XS_READ), -EACCES);
	h.len = 5;
	CU_ASSERT_EQUAL(pvstore_reply_status(&h, "EQUOTA", XS_READ), -EIO);
	h.len = 0;
	CU_ASSERT_EQUAL(pvstore_reply_status(&h, "", XS_READ), -EIO);

	h.len = XENSTORE_PAYLOAD_MAX;
	CU_ASSERT_EQUAL(pvstore_hdr_check(&h), 0);
	h.len = XENSTORE_PAYLOAD_MAX + 1;
	CU_ASSERT_EQUAL(pvstore_hdr_check(&h), -EPROTO);
	h.len = UINT32_MAX;
	CU_ASSERT_EQUAL(pvstore_hdr_check(&h), -EPROTO);
}

static void test_errors(void)
{
	/* Every name of Xen's table maps both ways. */
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]);
	     i++) {
		const char *n = xsd_errors[i].errstring;

		CU_ASSERT_EQUAL(pvstore_errno_from_name(n, strlen(n)),
				xsd_errors[i].errnum);
		CU_ASSERT_STRING_EQUAL(pvstore_errno_name(xsd_errors[i].errnum),
				       n);
	}
	CU_ASSERT_EQUAL(pvstore_errno_from_name("E2BIG", 5), E2BIG);
	CU_ASSERT_EQUAL(pvstore_errno_from_name("EAGAIN", 6), EAGAIN);
	CU_ASSERT_EQUAL(pvstore_errno_from_name("ENOENTX", 6), ENOENT);
	CU_ASSERT_EQUAL(pvstore_errno_from_name("ENOENT", 5), EIO);
	CU_ASSERT_EQUAL(pvstore_errno_from_name("", 0), EIO);
	CU_ASSERT_EQUAL(pvstore_errno_from_name("ENOTDIR", 7), ENOTDIR);
	CU_ASSERT_PTR_NULL(pvstore_errno_name(12345));
}

static void test_split(void)
{
	char **v;
	unsigned n;

	CU_ASSERT_EQUAL(pvstore_split("a\0bc\0", 5, &v, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(v[0], "a");
	CU_ASSERT_STRING_EQUAL(v[1], "bc");
	CU_ASSERT_PTR_NULL(v[2]);
	free(v);
	/* A last string without its NUL still counts. */
	CU_ASSERT_EQUAL(pvstore_split("a\0bc", 4, &v, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(v[1], "bc");
	free(v);
	CU_ASSERT_EQUAL(pvstore_split("", 0, &v, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(v[0]);
	free(v);
	/* Empty strings are kept (a directory never has them). */
	CU_ASSERT_EQUAL(pvstore_split("\0\0", 2, &v, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(v[0], "");
	free(v);
}

static void test_dirpart(void)
{
	const char *g, *names;
	size_t len;
	int end;

	CU_ASSERT_EQUAL(
	    pvstore_dirpart_parse("12\0a\0bb\0", 8, &g, &names, &len, &end), 0);
	CU_ASSERT_STRING_EQUAL(g, "12");
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT(memcmp(names, "a\0bb\0", 5) == 0);
	CU_ASSERT_EQUAL(end, 0);
	/* The last chunk carries an extra NUL, which is not a name. */
	CU_ASSERT_EQUAL(
	    pvstore_dirpart_parse("12\0a\0\0", 6, &g, &names, &len, &end), 0);
	CU_ASSERT_EQUAL(len, 2);
	CU_ASSERT_EQUAL(end, 1);
	CU_ASSERT_EQUAL(
	    pvstore_dirpart_parse("7\0\0", 3, &g, &names, &len, &end), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(end, 1);
	/* Nothing after the generation: the end, never an endless loop. */
	CU_ASSERT_EQUAL(pvstore_dirpart_parse("7\0", 2, &g, &names, &len, &end),
			0);
	CU_ASSERT_EQUAL(end, 1);
	CU_ASSERT_EQUAL(pvstore_dirpart_parse("7", 1, &g, &names, &len, &end),
			-EPROTO);
	CU_ASSERT_EQUAL(pvstore_dirpart_parse("", 0, &g, &names, &len, &end),
			-EPROTO);
	CU_ASSERT_EQUAL(
	    pvstore_dirpart_parse("\0a\0", 3, &g, &names, &len, &end), -EPROTO);
	CU_ASSERT_EQUAL(
	    pvstore_dirpart_parse("7\0ab", 4, &g, &names, &len, &end), -EPROTO);
}

static void test_parse_num(void)
{
	uint64_t v;

	CU_ASSERT_EQUAL(pvstore_parse_num("42", 2, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(pvstore_parse_num("42", 3, 100, &v), 0); /* NUL */
	CU_ASSERT_EQUAL(pvstore_parse_num("4294967295", 10, UINT32_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, UINT32_MAX);
	CU_ASSERT_EQUAL(pvstore_parse_num("4294967296", 10, UINT32_MAX, &v),
			-EPROTO);
	CU_ASSERT_EQUAL(
	    pvstore_parse_num("18446744073709551615", 20, UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(
	    pvstore_parse_num("18446744073709551616", 20, UINT64_MAX, &v),
	    -EPROTO);
	CU_ASSERT_EQUAL(pvstore_parse_num("", 0, 100, &v), -EPROTO);
	CU_ASSERT_EQUAL(pvstore_parse_num("", 1, 100, &v), -EPROTO);
	CU_ASSERT_EQUAL(pvstore_parse_num("-1", 2, 100, &v), -EPROTO);
	CU_ASSERT_EQUAL(pvstore_parse_num("1 ", 2, 100, &v), -EPROTO);
	CU_ASSERT_EQUAL(pvstore_parse_num("1\0002", 3, 100, &v), -EPROTO);
}

static void test_event_parse(void)
{
	struct pvstore_event *e;

	CU_ASSERT_EQUAL(pvstore_event_parse("/a/b\0tok\0", 9, &e), 0);
	CU_ASSERT_STRING_EQUAL(e->path, "/a/b");
	CU_ASSERT_STRING_EQUAL(e->token, "tok");
	free(e);
	/* Token without its NUL, empty token. */
	CU_ASSERT_EQUAL(pvstore_event_parse("/a\0t", 4, &e), 0);
	CU_ASSERT_STRING_EQUAL(e->token, "t");
	free(e);
	CU_ASSERT_EQUAL(pvstore_event_parse("/a\0", 3, &e), 0);
	CU_ASSERT_STRING_EQUAL(e->token, "");
	free(e);
	CU_ASSERT_EQUAL(pvstore_event_parse("/a", 2, &e), -EPROTO);
	CU_ASSERT_EQUAL(pvstore_event_parse("", 0, &e), -EPROTO);
}

/* ---------------------------------------------------------- permissions */

static void test_perm_text(void)
{
	static const struct {
		const char *text;
		uint32_t domid, access;
	} ok[] = {
	    {"n0", 0, PVSTORE_PERM_NONE},	  {"r1", 1, PVSTORE_PERM_READ},
	    {"w2", 2, PVSTORE_PERM_WRITE},	  {"b3", 3, PVSTORE_PERM_BOTH},
	    {"b65535", 65535, PVSTORE_PERM_BOTH},
	};
	static const char *const bad[] = {
	    "",
	    "n",
	    "x0",
	    "N0",
	    "r-1",
	    "r 1",
	    "r1 ",
	    "r01",
	    "b65536",
	    "0",
	    "rr1",
	    "r1x",
	    "w99999999999999999999",
	};
	struct pvstore_perm p;
	char buf[16];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL(pvstore_perm_parse(ok[i].text, &p), 0);
		CU_ASSERT_EQUAL(p.domid, ok[i].domid);
		CU_ASSERT_EQUAL(p.access, ok[i].access);
		CU_ASSERT_EQUAL(pvstore_perm_format(&p, buf, sizeof(buf)),
				(int)strlen(ok[i].text));
		CU_ASSERT_STRING_EQUAL(buf, ok[i].text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = pvstore_perm_parse(bad[i], &p);

		CU_ASSERT_EQUAL(rc, -EINVAL);
		if (rc != -EINVAL)
			fprintf(stderr, "\naccepted '%s'\n", bad[i]);
	}
	p = (struct pvstore_perm){70000, PVSTORE_PERM_READ};
	CU_ASSERT_EQUAL(pvstore_perm_format(&p, buf, sizeof(buf)), -EINVAL);
	p = (struct pvstore_perm){1, 4};
	CU_ASSERT_EQUAL(pvstore_perm_format(&p, buf, sizeof(buf)), -EINVAL);
	p = (struct pvstore_perm){65535, PVSTORE_PERM_READ};
	CU_ASSERT_EQUAL(pvstore_perm_format(&p, buf, 6), -EINVAL); /* short */
	CU_ASSERT_EQUAL(pvstore_perm_format(&p, buf, 7), 6);
}

static void test_perm_list(void)
{
	struct pvstore_perm *p;
	unsigned n;

	CU_ASSERT_EQUAL(pvstore_perms_parse_list("n0\0r1\0b2\0", 9, &p, &n), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(p[0].domid, 0);
	CU_ASSERT_EQUAL(p[0].access, PVSTORE_PERM_NONE);
	CU_ASSERT_EQUAL(p[2].domid, 2);
	CU_ASSERT_EQUAL(p[2].access, PVSTORE_PERM_BOTH);
	free(p);
	CU_ASSERT_EQUAL(pvstore_perms_parse_list("", 0, &p, &n), -EPROTO);
	CU_ASSERT_EQUAL(pvstore_perms_parse_list("n0\0q1\0", 6, &p, &n),
			-EPROTO);
}

/* ----------------------------------------------------------------- paths */

static void test_paths(void)
{
	static const char *const ok[] = {
	    "/",   "/a",  "/local/domain/0", "/a-b_c@d/E9", "relative",
	    "a/b", "/@x",
	};
	static const char *const bad[] = {
	    "",	    "//",   "/a/", "/a//b", "a/",    "/a b", "/a\tb",
	    "/a.b", "/a:b", "/ä",  "@",	    "/a\\b", "/a*",
	};
	static char longp[XENSTORE_ABS_PATH_MAX + 2];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL(pvstore_path_check(ok[i], false), 0);
		if (pvstore_path_check(ok[i], false))
			fprintf(stderr, "\nrejected '%s'\n", ok[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(pvstore_path_check(bad[i], true), -EINVAL);
		if (!pvstore_path_check(bad[i], true))
			fprintf(stderr, "\naccepted '%s'\n", bad[i]);
	}
	/* Watch-only names. */
	CU_ASSERT_EQUAL(pvstore_path_check("@introduceDomain", false), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_path_check("@introduceDomain", true), 0);
	CU_ASSERT_EQUAL(pvstore_path_check("@releaseDomain", true), 0);

	/* Length limits: 3072 absolute, 2048 relative. */
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[XENSTORE_ABS_PATH_MAX] = 0;
	CU_ASSERT_EQUAL(pvstore_path_check(longp, false), 0);
	longp[XENSTORE_ABS_PATH_MAX] = 'a';
	longp[XENSTORE_ABS_PATH_MAX + 1] = 0;
	CU_ASSERT_EQUAL(pvstore_path_check(longp, false), -EINVAL);
	longp[0] = 'a';
	longp[XENSTORE_REL_PATH_MAX] = 0;
	CU_ASSERT_EQUAL(pvstore_path_check(longp, false), 0);
	longp[XENSTORE_REL_PATH_MAX] = 'a';
	longp[XENSTORE_REL_PATH_MAX + 1] = 0;
	CU_ASSERT_EQUAL(pvstore_path_check(longp, false), -EINVAL);
}

/* --------------------------------------------------------------- escapes */

static void test_escape(void)
{
	/* The spelling of Debian's xenstore-ls (checked by hand against it):
	 * named \t \n \r \\, octal below 8, hex for other non-printables. */
	static const char in[] = "a\tb\\c\"d\001e\007\b\f\v\r\n\x7f\x80\xff ~";
	char *e = pvstore_escape(in, sizeof(in) - 1);

	CU_ASSERT_STRING_EQUAL(e, "a\\tb\\\\c\"d\\001e\\007\\x08\\x0c\\x0b"
				  "\\r\\n\\x7f\\x80\\xff ~");
	free(e);
	e = pvstore_escape("x\0y", 3);
	CU_ASSERT_STRING_EQUAL(e, "x\\000y");
	free(e);
	e = pvstore_escape("", 0);
	CU_ASSERT_STRING_EQUAL(e, "");
	free(e);
}

static void test_unescape(void)
{
	char buf[64];
	int n;

	strcpy(buf, "a\\tb\\\\c\\001\\x41\\101\\0z\\n\\a\\\"");
	n = pvstore_unescape(buf, buf); /* in place */
	CU_ASSERT_EQUAL(n, 13);
	CU_ASSERT(memcmp(buf, "a\tb\\c\001AA\0z\n\a\"", 13) == 0);
	CU_ASSERT_EQUAL(pvstore_unescape("plain", buf), 5);
	CU_ASSERT_STRING_EQUAL(buf, "plain");
	CU_ASSERT_EQUAL(pvstore_unescape("\\x4", buf), 1);
	CU_ASSERT_EQUAL(buf[0], 4);
	CU_ASSERT_EQUAL(pvstore_unescape("\\1234", buf), 2); /* \123 + '4' */
	CU_ASSERT_EQUAL(pvstore_unescape("\\q", buf), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_unescape("x\\", buf), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_unescape("\\x", buf), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_unescape("\\xg", buf), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_unescape("\\777", buf), -EINVAL);

	/* escape then unescape gives the bytes back, for every byte. */
	for (int c = 0; c < 256; c++) {
		char v[3] = {'a', (char)c, 'z'}, out[16];
		char *e = pvstore_escape(v, 3);

		CU_ASSERT_EQUAL_FATAL(pvstore_unescape(e, out), 3);
		CU_ASSERT(memcmp(out, v, 3) == 0);
		free(e);
	}
}

static void test_socket_path(void)
{
	char buf[256], dir[256];

	unsetenv("XENSTORED_PATH");
	unsetenv("XENSTORED_RUNDIR");
	unsetenv("PVHV_RUNDIR");
	CU_ASSERT(pvstore_socket_path(buf, sizeof(buf), dir, sizeof(dir)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "/run/pvhv/xenstored/socket");
	CU_ASSERT_STRING_EQUAL(dir, "/run/pvhv/xenstored");
	setenv("PVHV_RUNDIR", "/tmp/r", 1);
	pvstore_socket_path(buf, sizeof(buf), dir, sizeof(dir));
	CU_ASSERT_STRING_EQUAL(buf, "/tmp/r/xenstored/socket");
	setenv("XENSTORED_RUNDIR", "/var/run/xenstored", 1);
	pvstore_socket_path(buf, sizeof(buf), dir, sizeof(dir));
	CU_ASSERT_STRING_EQUAL(buf, "/var/run/xenstored/socket");
	CU_ASSERT_STRING_EQUAL(dir, "/var/run/xenstored");
	setenv("XENSTORED_PATH", "/x/sock", 1);
	pvstore_socket_path(buf, sizeof(buf), dir, sizeof(dir));
	CU_ASSERT_STRING_EQUAL(buf, "/x/sock");
	CU_ASSERT_STRING_EQUAL(dir, ""); /* no autostart for an explicit path */
	CU_ASSERT_EQUAL(pvstore_socket_path(buf, 7, NULL, 0), -ENAMETOOLONG);
	CU_ASSERT_EQUAL(pvstore_socket_path(buf, 8, NULL, 0), 7);
	/* Empty variables count as unset, as in Xen. */
	setenv("XENSTORED_PATH", "", 1);
	setenv("XENSTORED_RUNDIR", "", 1);
	pvstore_socket_path(buf, sizeof(buf), NULL, 0);
	CU_ASSERT_STRING_EQUAL(buf, "/tmp/r/xenstored/socket");
	unsetenv("XENSTORED_PATH");
	unsetenv("XENSTORED_RUNDIR");
	unsetenv("PVHV_RUNDIR");
}

static void test_ls_line(void)
{
	struct pvstore_perm perms[] = {{0, PVSTORE_PERM_BOTH},
				       {2, PVSTORE_PERM_READ}};
	struct pvstore_node n = {.path = "/a/bb/q",
				 .name = "q",
				 .depth = 2,
				 .value = "1\t",
				 .len = 2,
				 .perms = perms,
				 .nperms = 2};
	char *l;

	/* Lines as Debian's xenstore-ls prints them (checked by hand). */
	l = pvstore_ls_line(&n, 0);
	CU_ASSERT_STRING_EQUAL(l, " q = \"1\\t\"");
	free(l);
	l = pvstore_ls_line(&n, PVSTORE_LS_FULL);
	CU_ASSERT_STRING_EQUAL(l, "/a/bb/q = \"1\\t\"");
	free(l);
	l = pvstore_ls_line(&n, PVSTORE_LS_FULL | PVSTORE_LS_PERMS);
	CU_ASSERT_STRING_EQUAL(l, "/a/bb/q = \"1\\t\"   (b0,r2)");
	free(l);
	n.depth = 1;
	n.value = "1";
	n.len = 1;
	n.nperms = 1;
	l = pvstore_ls_line(&n, PVSTORE_LS_PERMS);
	CU_ASSERT_STRING_EQUAL(l, "q = \"1\"  . . . . . . . . . . . . . . . . "
				  ". . . . . . . . . .  (b0)");
	CU_ASSERT_EQUAL(strlen(l), 60 + strlen("  (b0)"));
	free(l);
	n.value = NULL;
	n.read_err = -EACCES;
	l = pvstore_ls_line(&n, 0);
	CU_ASSERT_STRING_EQUAL(l, "q (unreadable: EACCES)");
	free(l);
}

static CU_TestInfo tests[] = {
    {"requests: building", test_req_build},
    {"requests: payload limit", test_req_limits},
    {"replies: status and header check", test_reply_status},
    {"error names", test_errors},
    {"splitting strings", test_split},
    {"DIRECTORY_PART chunks", test_dirpart},
    {"numbers", test_parse_num},
    {"watch events", test_event_parse},
    {"permissions: text form", test_perm_text},
    {"permissions: GET_PERMS reply", test_perm_list},
    {"paths", test_paths},
    {"escape like xenstore-ls", test_escape},
    {"unescape like xenstore-write", test_unescape},
    {"socket path resolution", test_socket_path},
    {"xenstore-ls lines", test_ls_line},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("pvstore", tests);
}
