/* Unit tests for the xl.cfg reader and the domain configuration. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvtool/cfg.h>

#include "unit.h"

#define MIN_CFG "name = \"vm1\"\nkernel = \"/boot/vmlinuz\"\n"

static struct pvtool_domcfg dc;
static char errbuf[512];

static int parse_ov(const char *text, char *const ov[], int n)
{
	pvtool_domcfg_free(&dc);
	memset(errbuf, 0, sizeof(errbuf));
	return pvtool_domcfg_parse_buf("t.cfg", text, strlen(text), ov, n, &dc,
				       errbuf, sizeof(errbuf));
}

static int parse(const char *text)
{
	return parse_ov(text, NULL, 0);
}

/* Parses and requires success, reporting the error otherwise. */
#define PARSE_OK(text)                                                         \
	do {                                                                   \
		int r_ = parse(text);                                          \
		if (r_)                                                        \
			fprintf(stderr, "\nunexpected error: %s\n", errbuf);   \
		CU_ASSERT_EQUAL_FATAL(r_, 0);                                  \
	} while (0)

static int check_error(int r, const char *input, const char *want)
{
	if (r == -EINVAL && !strcmp(errbuf, want))
		return 1;
	fprintf(stderr, "\ninput: %.200s\n  got: %d %s\n want: %s\n", input, r,
		errbuf, want);
	return 0;
}

#define EXPECT_ERROR(text, want) CU_ASSERT(check_error(parse(text), text, want))

/* ---------------------------------------------------------- domain keys */

static void test_defaults(void)
{
	PARSE_OK(MIN_CFG);
	CU_ASSERT_STRING_EQUAL(dc.name, "vm1");
	CU_ASSERT_STRING_EQUAL(dc.kernel, "/boot/vmlinuz");
	CU_ASSERT_PTR_NULL(dc.ramdisk);
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "");
	CU_ASSERT_EQUAL(dc.memory_mib, 128);
	CU_ASSERT_EQUAL(dc.maxmem_mib, 128);
	CU_ASSERT_EQUAL(dc.vcpus, 1);
	CU_ASSERT_EQUAL(dc.maxvcpus, 1);
	CU_ASSERT_EQUAL(dc.on_poweroff, PVTOOL_ACTION_DESTROY);
	CU_ASSERT_EQUAL(dc.on_reboot, PVTOOL_ACTION_RESTART);
	CU_ASSERT_EQUAL(dc.on_crash, PVTOOL_ACTION_DESTROY);
	CU_ASSERT_EQUAL(dc.on_watchdog, PVTOOL_ACTION_DESTROY);
	CU_ASSERT_EQUAL(dc.max_event_channels, 1023);
	CU_ASSERT_EQUAL(dc.max_grant_frames, 64);
	CU_ASSERT_STRING_EQUAL(dc.uuid, "");
	CU_ASSERT_STRING_EQUAL(errbuf, "");
}

static void test_every_key(void)
{
	PARSE_OK("# a full PVH domain\n"
		 "name = \"web-01.example_a\"\n"
		 "type = \"pvh\"\n"
		 "pvh = 1\n"
		 "kernel = \"guests/vmlinuz\"\n"
		 "ramdisk = \"guests/initrd.img\"\n"
		 "cmdline = \"console=hvc0 quiet\"\n"
		 "memory = 512\n"
		 "maxmem = 1024\n"
		 "vcpus = 2\n"
		 "maxvcpus = 4\n"
		 "on_poweroff = \"preserve\"\n"
		 "on_reboot = \"destroy\"\n"
		 "on_crash = \"restart\"\n"
		 "on_watchdog = \"restart\"\n"
		 "max_event_channels = 4095\n"
		 "max_grant_frames = 32\n"
		 "strict_io = 1\n"
		 "uuid = \"6B4A2C52-1F0E-4c1b-9A5D-0123456789AB\"\n");
	CU_ASSERT_STRING_EQUAL(dc.name, "web-01.example_a");
	CU_ASSERT_STRING_EQUAL(dc.kernel, "guests/vmlinuz");
	CU_ASSERT_STRING_EQUAL(dc.ramdisk, "guests/initrd.img");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "console=hvc0 quiet");
	CU_ASSERT_EQUAL(dc.memory_mib, 512);
	CU_ASSERT_EQUAL(dc.maxmem_mib, 1024);
	CU_ASSERT_EQUAL(dc.vcpus, 2);
	CU_ASSERT_EQUAL(dc.maxvcpus, 4);
	CU_ASSERT_EQUAL(dc.on_poweroff, PVTOOL_ACTION_PRESERVE);
	CU_ASSERT_EQUAL(dc.on_reboot, PVTOOL_ACTION_DESTROY);
	CU_ASSERT_EQUAL(dc.on_crash, PVTOOL_ACTION_RESTART);
	CU_ASSERT_EQUAL(dc.on_watchdog, PVTOOL_ACTION_RESTART);
	CU_ASSERT_EQUAL(dc.max_event_channels, 4095);
	CU_ASSERT_EQUAL(dc.max_grant_frames, 32);
	CU_ASSERT_TRUE(dc.strict_io);
	CU_ASSERT_STRING_EQUAL(dc.uuid, "6b4a2c52-1f0e-4c1b-9a5d-0123456789ab");
}

static void test_limits_accepted(void)
{
	PARSE_OK(MIN_CFG "memory = 4\nvcpus = 64\nmax_event_channels = 1\n"
			 "max_grant_frames = 1\n");
	CU_ASSERT_EQUAL(dc.memory_mib, 4);
	CU_ASSERT_EQUAL(dc.maxmem_mib, 4);
	CU_ASSERT_EQUAL(dc.vcpus, 64);
	CU_ASSERT_EQUAL(dc.maxvcpus, 64);
	PARSE_OK(MIN_CFG "memory = 1048576\nmaxvcpus = 64\n");
	CU_ASSERT_EQUAL(dc.memory_mib, 1048576);
	CU_ASSERT_EQUAL(dc.vcpus, 1);
	CU_ASSERT_EQUAL(dc.maxvcpus, 64);
	/* maxmem alone above the default memory */
	PARSE_OK(MIN_CFG "maxmem = 256\n");
	CU_ASSERT_EQUAL(dc.memory_mib, 128);
	CU_ASSERT_EQUAL(dc.maxmem_mib, 256);
	/* a name of exactly 63 characters */
	PARSE_OK(
	    "kernel='k'\nname='"
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"
	    "'\n");
	CU_ASSERT_EQUAL(strlen(dc.name), 63);
}

static void test_cmdline(void)
{
	PARSE_OK(MIN_CFG
		 "root = \"/dev/xvda1 ro\"\nextra = \"console=hvc0\"\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "root=/dev/xvda1 ro console=hvc0");
	PARSE_OK(MIN_CFG "root = \"/dev/xvda1\"\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "root=/dev/xvda1");
	PARSE_OK(MIN_CFG "extra = \"init=/bin/sh\"\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "init=/bin/sh");
	/* cmdline wins over root and extra, as in xl */
	PARSE_OK(MIN_CFG "root='/dev/a'\ncmdline='x=1'\nextra='y'\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "x=1");
	PARSE_OK(MIN_CFG "cmdline=''\nroot='/dev/a'\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "");
	PARSE_OK(MIN_CFG "extra = \"a\"\nextra += \" b\"\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "a b");
}

static void test_overrides(void)
{
	char *ov[] = {"memory=256", "extra+=\" single\"",
		      "vcpus = 2; maxvcpus=3", "ramdisk=''"};
	char *bad[] = {"vcpus=2", "memory=\"abc\""};
	char *bare[] = {"memory=abc"};
	char *nokey[] = {"=5"};
	char *noeq[] = {"memory"};
	char *unk[] = {"colour=\"blue\""};

	CU_ASSERT_EQUAL(parse_ov(MIN_CFG "memory = 1024\nextra = 'quiet'\n"
					 "ramdisk = 'initrd'\n",
				 ov, 4),
			0);
	CU_ASSERT_EQUAL(dc.memory_mib, 256);
	CU_ASSERT_EQUAL(dc.maxmem_mib, 256);
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "quiet single");
	CU_ASSERT_EQUAL(dc.vcpus, 2);
	CU_ASSERT_EQUAL(dc.maxvcpus, 3);
	CU_ASSERT_PTR_NULL(dc.ramdisk);

	/* overrides can supply required keys */
	{
		char *req[] = {"name=\"fromcli\"", "kernel=\"/k\""};

		CU_ASSERT_EQUAL(parse_ov("", req, 2), 0);
		CU_ASSERT_STRING_EQUAL(dc.name, "fromcli");
	}
	CU_ASSERT(check_error(parse_ov(MIN_CFG, bad, 2), "bad",
			      "command line argument 2: memory: expected a "
			      "number, got \"abc\""));
	CU_ASSERT(check_error(parse_ov(MIN_CFG, bare, 1), "bare",
			      "command line argument 1: memory: expected a "
			      "value (a number, a \"string\" or a [list]), "
			      "got 'abc'"));
	CU_ASSERT(check_error(parse_ov(MIN_CFG, nokey, 1), "nokey",
			      "command line argument 1: expected a key name, "
			      "got '='"));
	CU_ASSERT(check_error(parse_ov(MIN_CFG, noeq, 1), "noeq",
			      "command line argument 1: memory: expected '=' "
			      "after the key, got end of file"));
	CU_ASSERT(check_error(parse_ov(MIN_CFG, unk, 1), "unk",
			      "command line argument 1: unknown key 'colour'"));
	/* a cross-key error names where the offending value came from */
	{
		char *mm[] = {"maxmem=64"};

		CU_ASSERT(check_error(parse_ov(MIN_CFG, mm, 1), "mm",
				      "command line argument 1: maxmem: 64 MiB "
				      "is less than memory (128 MiB)"));
	}
	CU_ASSERT_EQUAL(parse_ov(MIN_CFG, NULL, -1), -EINVAL);
	{
		char *null[] = {"memory=64", NULL};

		CU_ASSERT(
		    check_error(parse_ov(MIN_CFG, null, 2), "null",
				"command line argument 2: missing (NULL)"));
	}
	pvtool_domcfg_free(NULL);
}

/* The example of pvhv.cfg(5), EXAMPLES, verbatim. */
static void test_man_example(void)
{
	static const char example[] =
	    "# /etc/pvhv/web.cfg\n"
	    "name    = \"web\"\n"
	    "type    = \"pvh\"\n"
	    "kernel  = \"/srv/guests/vmlinuz\"\n"
	    "ramdisk = \"/srv/guests/initrd.img\"\n"
	    "root    = \"/dev/xvda1 ro\"\n"
	    "extra   = \"console=hvc0 noxsave nosmap\"\n"
	    "memory  = 512\n"
	    "maxmem  = 1024\n"
	    "vcpus   = 2; maxvcpus = 4\n"
	    "on_crash = \"preserve\"   # keep it for a look\n";
	char *ov[] = {"memory=1024", "extra+=\" single\""};

	PARSE_OK(example);
	CU_ASSERT_STRING_EQUAL(
	    dc.cmdline, "root=/dev/xvda1 ro console=hvc0 noxsave nosmap");
	CU_ASSERT_EQUAL(dc.maxvcpus, 4);
	CU_ASSERT_EQUAL(dc.on_crash, PVTOOL_ACTION_PRESERVE);
	CU_ASSERT_EQUAL_FATAL(parse_ov(example, ov, 2), 0);
	CU_ASSERT_EQUAL(dc.memory_mib, 1024);
	CU_ASSERT_EQUAL(dc.maxmem_mib, 1024);
	CU_ASSERT_STRING_EQUAL(
	    dc.cmdline,
	    "root=/dev/xvda1 ro console=hvc0 noxsave nosmap single");
}

static void test_actions(void)
{
	enum pvtool_action a;

	CU_ASSERT_EQUAL(pvtool_action_parse("destroy", &a), 0);
	CU_ASSERT_EQUAL(a, PVTOOL_ACTION_DESTROY);
	CU_ASSERT_EQUAL(pvtool_action_parse("restart", &a), 0);
	CU_ASSERT_EQUAL(a, PVTOOL_ACTION_RESTART);
	CU_ASSERT_EQUAL(pvtool_action_parse("preserve", &a), 0);
	CU_ASSERT_EQUAL(a, PVTOOL_ACTION_PRESERVE);
	CU_ASSERT_EQUAL(pvtool_action_parse("rename-restart", &a), -ENOTSUP);
	CU_ASSERT_EQUAL(pvtool_action_parse("coredump-destroy", &a), -ENOTSUP);
	CU_ASSERT_EQUAL(pvtool_action_parse("coredump-restart", &a), -ENOTSUP);
	CU_ASSERT_EQUAL(pvtool_action_parse("soft-reset", &a), -ENOTSUP);
	CU_ASSERT_EQUAL(pvtool_action_parse("Destroy", &a), -EINVAL);
	CU_ASSERT_EQUAL(pvtool_action_parse("", &a), -EINVAL);
	CU_ASSERT_STRING_EQUAL(pvtool_action_name(PVTOOL_ACTION_DESTROY),
			       "destroy");
	CU_ASSERT_STRING_EQUAL(pvtool_action_name(PVTOOL_ACTION_RESTART),
			       "restart");
	CU_ASSERT_STRING_EQUAL(pvtool_action_name(PVTOOL_ACTION_PRESERVE),
			       "preserve");
	CU_ASSERT_STRING_EQUAL(pvtool_action_name((enum pvtool_action)42), "?");
}

static void test_type_spellings(void)
{
	PARSE_OK(MIN_CFG "type = 'pvh'\n");
	PARSE_OK(MIN_CFG "pvh = 1\n");
	PARSE_OK(MIN_CFG "uuid = '00000000-0000-0000-0000-000000000000'\n");
	CU_ASSERT_STRING_EQUAL(dc.uuid, "00000000-0000-0000-0000-000000000000");
	/* xl reads numbers from strings too */
	PARSE_OK(MIN_CFG "memory = \"0x200\"\nvcpus = '3'\n");
	CU_ASSERT_EQUAL(dc.memory_mib, 512);
	CU_ASSERT_EQUAL(dc.vcpus, 3);
	/* and strings from numbers */
	PARSE_OK("name = 'n'\nkernel = 5\n");
	CU_ASSERT_STRING_EQUAL(dc.kernel, "5");
}

/* ---------------------------------------------------------- syntax */

static void test_strings(void)
{
	PARSE_OK(
	    "name='vm'\nkernel='k'\n"
	    "cmdline = \"q\\\"d\\\\b\\nn\\tt\\x41\\x7a\\'s\\101\\7\\a\\b\\f"
	    "\\r\\v\"\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "q\"d\\b\nn\ttAz's"
					   "A\7\a\b\f\r\v");
	PARSE_OK("name='vm'\nkernel='k'\ncmdline = 'it\\'s \"quoted\" #no'\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "it's \"quoted\" #no");
	PARSE_OK("name='vm'\nkernel='k'\ncmdline = \"a;b=[c],'d'\" # c\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "a;b=[c],'d'");
	/* bytes that are not UTF-8 pass through strings untouched */
	PARSE_OK("name='vm'\nkernel='/k\xff\xfe\x80'\n");
	CU_ASSERT_STRING_EQUAL(dc.kernel, "/k\xff\xfe\x80");
	PARSE_OK("name='vm'\nkernel='k'\ncmdline=''\n");
	CU_ASSERT_STRING_EQUAL(dc.cmdline, "");
}

static void test_numbers(void)
{
	PARSE_OK(MIN_CFG
		 "memory = 0x100\nvcpus = 0X4\nmax_grant_frames=0x0a\n");
	CU_ASSERT_EQUAL(dc.memory_mib, 256);
	CU_ASSERT_EQUAL(dc.vcpus, 4);
	CU_ASSERT_EQUAL(dc.max_grant_frames, 10);

	uint64_t v = 0;

	CU_ASSERT_EQUAL(pvtool_cfg_number("0", &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(pvtool_cfg_number("18446744073709551615", &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(pvtool_cfg_number("0xffffffffffffffff", &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(pvtool_cfg_number("18446744073709551616", &v), -ERANGE);
	CU_ASSERT_EQUAL(pvtool_cfg_number("0x10000000000000000", &v), -ERANGE);
	CU_ASSERT_EQUAL(pvtool_cfg_number("99999999999999999999x", &v),
			-EINVAL);
	CU_ASSERT_EQUAL(pvtool_cfg_number("010", &v), -EDOM);
	CU_ASSERT_EQUAL(pvtool_cfg_number("0x", &v), -EINVAL);
	CU_ASSERT_EQUAL(pvtool_cfg_number("", &v), -EINVAL);
	CU_ASSERT_EQUAL(pvtool_cfg_number("12a", &v), -EINVAL);
	CU_ASSERT_EQUAL(pvtool_cfg_number("-1", &v), -EINVAL);
	CU_ASSERT_EQUAL(pvtool_cfg_number(" 1", &v), -EINVAL);
}

static void test_separators_comments(void)
{
	PARSE_OK("name='a'; kernel='k';memory=64 ; vcpus=2;;\n");
	CU_ASSERT_EQUAL(dc.memory_mib, 64);
	CU_ASSERT_EQUAL(dc.vcpus, 2);
	PARSE_OK("# only a comment\n\n   \t\n# another = 5 [\n"
		 "name='a' # trailing\nkernel='k'#no space\n#last, no newline");
	CU_ASSERT_STRING_EQUAL(dc.kernel, "k");
	/* DOS line ends, no final newline, tabs around tokens */
	PARSE_OK("name\t=\t'a'\r\nkernel = 'k'\r\nmemory = 96");
	CU_ASSERT_EQUAL(dc.memory_mib, 96);
	/* comments may hold anything but NUL, including bad UTF-8 */
	PARSE_OK(MIN_CFG "# \xff\xfe \" ' [ \x01\n");
}

static void test_last_wins(void)
{
	PARSE_OK(MIN_CFG "memory = 256\nmemory = 512\nname = 'second'\n");
	CU_ASSERT_EQUAL(dc.memory_mib, 512);
	CU_ASSERT_STRING_EQUAL(dc.name, "second");
	/* only the last value is checked, as xl only reads the last */
	PARSE_OK(MIN_CFG "vcpus = 'lots'\nvcpus = 2\n");
	CU_ASSERT_EQUAL(dc.vcpus, 2);
	/* an error names the line of the value that counts */
	EXPECT_ERROR(MIN_CFG "vcpus = 2\nvcpus = 0\n",
		     "t.cfg:4: vcpus: must be between 1 and 64, got 0");
}

/* ---------------------------------------------------------- generic API */

static struct pvtool_cfg *gcfg;

static int gparse(const char *text)
{
	pvtool_cfg_free(gcfg);
	CU_ASSERT_EQUAL_FATAL(pvtool_cfg_new(&gcfg), 0);
	memset(errbuf, 0, sizeof(errbuf));
	return pvtool_cfg_parse_buf(gcfg, "g.cfg", text, strlen(text), 0,
				    errbuf, sizeof(errbuf));
}

static void test_generic_lists(void)
{
	const struct pvtool_cfg_setting *s;
	const struct pvtool_cfg_value *items;
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(gparse("disk = [ 'a,b',\n"
				     "   # a comment in a list\n"
				     "\n"
				     "   \"c\" , 0x10\n"
				     "   ,\n"
				     "]\n"
				     "empty = []\n"
				     "nested = [[1, [2]], []]\n"
				     "one = [ 'x' ]\n"),
			      0);
	CU_ASSERT_EQUAL(pvtool_cfg_count(gcfg), 4);
	s = pvtool_cfg_get(gcfg, "disk");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->line, 1);
	CU_ASSERT_STRING_EQUAL(s->src, "g.cfg");
	CU_ASSERT_EQUAL(pvtool_cfg_setting_list(s, &items, &n, errbuf, 99), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(items[0].type, PVTOOL_CFG_STRING);
	CU_ASSERT_STRING_EQUAL(items[0].str, "a,b");
	CU_ASSERT_EQUAL(items[0].line, 1);
	CU_ASSERT_STRING_EQUAL(items[1].str, "c");
	CU_ASSERT_EQUAL(items[1].line, 4);
	CU_ASSERT_EQUAL(items[2].type, PVTOOL_CFG_NUMBER);
	CU_ASSERT_EQUAL(items[2].num, 16);
	CU_ASSERT_STRING_EQUAL(items[2].str, "0x10");

	s = pvtool_cfg_get(gcfg, "empty");
	CU_ASSERT_EQUAL(s->line, 7);
	CU_ASSERT_EQUAL(s->value.type, PVTOOL_CFG_LIST);
	CU_ASSERT_EQUAL(s->value.nitems, 0);
	s = pvtool_cfg_get(gcfg, "nested");
	CU_ASSERT_EQUAL_FATAL(s->value.nitems, 2);
	CU_ASSERT_EQUAL_FATAL(s->value.items[0].nitems, 2);
	CU_ASSERT_EQUAL(s->value.items[0].items[1].type, PVTOOL_CFG_LIST);
	CU_ASSERT_EQUAL(s->value.items[0].items[1].items[0].num, 2);
	CU_ASSERT_PTR_NULL(pvtool_cfg_get(gcfg, "missing"));
	CU_ASSERT_STRING_EQUAL(pvtool_cfg_at(gcfg, 0)->key, "disk");
	CU_ASSERT_STRING_EQUAL(pvtool_cfg_at(gcfg, 3)->key, "one");
	CU_ASSERT_PTR_NULL(pvtool_cfg_at(gcfg, 4));
}

static void test_generic_append(void)
{
	const struct pvtool_cfg_setting *s;
	const char *str = NULL;
	uint64_t v = 0;

	CU_ASSERT_EQUAL_FATAL(gparse("l = [1]\nl += [2, 3]\nl += []\n"
				     "s = 'ab'\ns += \"cd\"\nfresh += 'x'\n"
				     "fl += ['y']\nn = 7\nl += ['4']\n"),
			      0);
	s = pvtool_cfg_get(gcfg, "l");
	CU_ASSERT_EQUAL_FATAL(s->value.nitems, 4);
	CU_ASSERT_EQUAL(s->value.items[0].num, 1);
	CU_ASSERT_EQUAL(s->value.items[2].num, 3);
	CU_ASSERT_STRING_EQUAL(s->value.items[3].str, "4");
	CU_ASSERT_EQUAL(s->line, 9);
	CU_ASSERT(s->appended);
	s = pvtool_cfg_get(gcfg, "s");
	CU_ASSERT_EQUAL(pvtool_cfg_setting_string(s, &str, errbuf, 99), 0);
	CU_ASSERT_STRING_EQUAL(str, "abcd");
	CU_ASSERT_EQUAL(s->value.len, 4);
	CU_ASSERT_STRING_EQUAL(pvtool_cfg_get(gcfg, "fresh")->value.str, "x");
	CU_ASSERT_EQUAL(pvtool_cfg_get(gcfg, "fl")->value.nitems, 1);
	/* a plain "=" after "+=" replaces */
	CU_ASSERT_EQUAL(gparse("s = 'a'\ns += 'b'\ns = 'c'\n"), 0);
	CU_ASSERT_STRING_EQUAL(pvtool_cfg_get(gcfg, "s")->value.str, "c");
	CU_ASSERT_FALSE(pvtool_cfg_get(gcfg, "s")->appended);

	/* many appends stay cheap and correct */
	{
		static char big[20000 * 24];
		size_t o = 0;
		int i;

		for (i = 0; i < 20000; i++)
			o += snprintf(big + o, sizeof(big) - o,
				      "s += 'ab'\nl += [%d]\n", i);
		CU_ASSERT_EQUAL_FATAL(gparse(big), 0);
		s = pvtool_cfg_get(gcfg, "s");
		CU_ASSERT_EQUAL(s->value.len, 40000);
		CU_ASSERT_EQUAL(strlen(s->value.str), 40000);
		s = pvtool_cfg_get(gcfg, "l");
		CU_ASSERT_EQUAL_FATAL(s->value.nitems, 20000);
		CU_ASSERT_EQUAL(s->value.items[19999].num, 19999);
	}

	CU_ASSERT_EQUAL(gparse("n = 5\n"), 0);
	s = pvtool_cfg_get(gcfg, "n");
	CU_ASSERT_EQUAL(pvtool_cfg_setting_u64(s, 0, 10, &v, errbuf, 99), 0);
	CU_ASSERT_EQUAL(v, 5);
	CU_ASSERT_EQUAL(
	    pvtool_cfg_setting_u64(s, 6, 10, &v, errbuf, sizeof(errbuf)),
	    -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "g.cfg:1: n: 5 is out of range (6 to 10)");
	CU_ASSERT_EQUAL(
	    pvtool_cfg_setting_list(s, NULL, NULL, errbuf, sizeof(errbuf)),
	    -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "g.cfg:1: n: expected a list [ ... ], got "
			       "a single value");
	CU_ASSERT_EQUAL(pvtool_cfg_setting_string(s, &str, errbuf, 99), 0);
	CU_ASSERT_STRING_EQUAL(str, "5");
}

static void test_generic_errors(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"n = 1\nn += 2\n", "g.cfg:2: n: can't use += with numbers"},
	    {"n += 2\n", "g.cfg:1: n: can't use += with numbers"},
	    {"s = 'a'\ns += 2\n", "g.cfg:2: s: can't use += with numbers"},
	    {"s = 'a'\ns += [2]\n", "g.cfg:2: s: can't add a list to a string"},
	    {"l = ['a']\nl += 'b'\n",
	     "g.cfg:2: l: can't add a string to a list"},
	    {"d = [[[[[[[[1]]]]]]]]\n", "g.cfg:1: d: expected a value (a "
					"number, a \"string\" or a [list]), "
					"got end of line"},
	    {"d = [[[[[[[[[1]]]]]]]]]\n",
	     "g.cfg:1: d: lists nested more than 8 deep"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = gparse(cases[i].in);

		if (i == 5) { /* 8 levels are fine: this one is well formed */
			CU_ASSERT_EQUAL(r, 0);
			continue;
		}
		CU_ASSERT(check_error(r, cases[i].in, cases[i].want));
	}
	/* settings before an error are kept */
	CU_ASSERT_EQUAL(gparse("a = 1\nb = \n"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(pvtool_cfg_get(gcfg, "a"));
	CU_ASSERT_PTR_NULL(pvtool_cfg_get(gcfg, "b"));
}

static void test_generic_many_keys(void)
{
	static char big[PVTOOL_CFG_MAX_KEYS * 16];
	size_t o = 0;
	int i, r;

	for (i = 0; i < PVTOOL_CFG_MAX_KEYS; i++)
		o += snprintf(big + o, sizeof(big) - o, "k%d=%d\n", i, i);
	CU_ASSERT_EQUAL_FATAL(gparse(big), 0);
	CU_ASSERT_EQUAL(pvtool_cfg_count(gcfg), PVTOOL_CFG_MAX_KEYS);
	CU_ASSERT_EQUAL(pvtool_cfg_get(gcfg, "k4000")->value.num, 4000);
	CU_ASSERT_EQUAL(pvtool_cfg_get(gcfg, "k0")->value.num, 0);
	snprintf(big + o, sizeof(big) - o, "one_more=1\n");
	r = gparse(big);
	CU_ASSERT_EQUAL(r, -E2BIG);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "g.cfg:4097: one_more: too many different "
			       "keys (more than 4096)");
}

/* ---------------------------------------------------------- errors */

static const struct {
	const char *in, *want;
} bad_inputs[] = {
    /* syntax */
    {"name = \"vm\nkernel='k'\n", "t.cfg:1: name: unterminated string "
				  "(missing closing \" on this line)"},
    {"kernel='k'\nname = 'vm", "t.cfg:2: name: unterminated string "
			       "(missing closing ' on this line)"},
    {"name = \"vm\\\"\n", "t.cfg:1: name: unterminated string (missing "
			  "closing \" on this line)"},
    {"name = 'a\\\n'\n", "t.cfg:1: name: unterminated string (missing "
			 "closing ' on this line)"},
    {MIN_CFG "memory 512\n",
     "t.cfg:3: memory: expected '=' after the key, got 512"},
    {MIN_CFG "memory\n",
     "t.cfg:3: memory: expected '=' after the key, got end of line"},
    {MIN_CFG "memory =\n", "t.cfg:3: memory: expected a value (a number, "
			   "a \"string\" or a [list]), got end of line"},
    {MIN_CFG "memory = abc\n", "t.cfg:3: memory: expected a value (a "
			       "number, a \"string\" or a [list]), got "
			       "'abc'"},
    {MIN_CFG "memory = 12abc\n", "t.cfg:3: memory: invalid number 12abc"},
    {MIN_CFG "memory = 1.5\n", "t.cfg:3: memory: invalid number 1.5"},
    {MIN_CFG "memory = 0x\n", "t.cfg:3: memory: invalid number 0x"},
    {MIN_CFG "memory = 0400\n",
     "t.cfg:3: memory: number 0400 has a leading zero, which xl reads as "
     "octal; write it in decimal or as 0x..."},
    {MIN_CFG "memory = -5\n",
     "t.cfg:3: memory: negative numbers are not allowed"},
    {MIN_CFG "memory = 18446744073709551616\n",
     "t.cfg:3: memory: number 18446744073709551616 is too large (more "
     "than 64 bits)"},
    {MIN_CFG "memory = \"99999999999999999999999\"\n",
     "t.cfg:3: memory: number \"99999999999999999999999\" is too large"},
    {MIN_CFG "memory = 512 256\n", "t.cfg:3: memory: expected a new line "
				   "or ';' after the value, got 256"},
    {MIN_CFG "memory = 512 # ok\nvcpus = 1 2\n",
     "t.cfg:4: vcpus: expected a new line or ';' after the value, got 2"},
    {MIN_CFG "= 5\n", "t.cfg:3: expected a key name, got '='"},
    {MIN_CFG "5 = 5\n", "t.cfg:3: expected a key name, got 5"},
    {MIN_CFG "'memory' = 5\n", "t.cfg:3: expected a key name, got \"memory\""},
    {MIN_CFG "memory == 5\n", "t.cfg:3: memory: expected a value (a "
			      "number, a \"string\" or a [list]), got "
			      "'='"},
    {MIN_CFG "memory = 5 +\n", "t.cfg:3: memory: unexpected character '+'"},
    {MIN_CFG "memory = {}\n", "t.cfg:3: memory: unexpected character '{'"},
    {MIN_CFG "mem\xc3\xa9 = 5\n", "t.cfg:3: mem: unexpected byte 0xc3"},
    {MIN_CFG "\xff = 5\n", "t.cfg:3: unexpected byte 0xff"},
    {MIN_CFG "memory = \x01\n", "t.cfg:3: memory: unexpected byte 0x01"},
    {MIN_CFG "disk = [ 'a'\n", "t.cfg:3: disk: unterminated list: '[' "
			       "without ']'"},
    {MIN_CFG "disk = [ 'a',\n  'b'\n\n", "t.cfg:3: disk: unterminated "
					 "list: '[' without ']'"},
    {MIN_CFG "disk = [ 'a' 'b' ]\n", "t.cfg:3: disk: expected ',' or ']' "
				     "in the list, got \"b\""},
    {MIN_CFG "disk = [ , ]\n", "t.cfg:3: disk: expected a value (a "
			       "number, a \"string\" or a [list]), got "
			       "','"},
    {MIN_CFG "disk = [ 'a',, ]\n", "t.cfg:3: disk: expected a value (a "
				   "number, a \"string\" or a [list]), got "
				   "','"},
    {MIN_CFG "disk = ]\n", "t.cfg:3: disk: expected a value (a number, a "
			   "\"string\" or a [list]), got ']'"},
    {MIN_CFG "cmdline = 'a\\qb'\n", "t.cfg:3: cmdline: invalid escape in "
				    "string: backslash followed by \"q\""},
    {MIN_CFG "cmdline = 'a\\x4'\n", "t.cfg:3: cmdline: \\x in a string "
				    "must be followed by two hex digits"},
    {MIN_CFG "cmdline = 'a\\xzz'\n", "t.cfg:3: cmdline: \\x in a string "
				     "must be followed by two hex digits"},
    {MIN_CFG "cmdline = 'a\\x00'\n",
     "t.cfg:3: cmdline: a string cannot contain a NUL character"},
    {MIN_CFG "cmdline = 'a\\0'\n",
     "t.cfg:3: cmdline: a string cannot contain a NUL character"},
    {MIN_CFG "cmdline = 'a\\777'\n", "t.cfg:3: cmdline: octal escape \\777 "
				     "in a string is larger than \\377"},
    {MIN_CFG "cmdline += 5\n", "t.cfg:3: cmdline: can't use += with "
			       "numbers"},
    /* values */
    {MIN_CFG "memory = \"abc\"\n",
     "t.cfg:3: memory: expected a number, got \"abc\""},
    {MIN_CFG "memory = \"\"\n", "t.cfg:3: memory: expected a number, got \"\""},
    {MIN_CFG "memory = [512]\n",
     "t.cfg:3: memory: expected a number, got a list"},
    {MIN_CFG "kernel = ['k']\n",
     "t.cfg:3: kernel: expected a string, got a list"},
    {MIN_CFG "memory = 3\n",
     "t.cfg:3: memory: 3 MiB is too small: a PVH guest needs at least 4 "
     "MiB for its kernel, page tables, start info, ACPI tables and "
     "xenstore and console pages"},
    {MIN_CFG "memory = 0\n",
     "t.cfg:3: memory: 0 MiB is too small: a PVH guest needs at least 4 "
     "MiB for its kernel, page tables, start info, ACPI tables and "
     "xenstore and console pages"},
    {MIN_CFG "memory = 1048577\n", "t.cfg:3: memory: 1048577 MiB is more "
				   "than pvhv allows (1048576 MiB = 1 "
				   "TiB)"},
    {MIN_CFG "maxmem = 0xffffffffffffffff\n",
     "t.cfg:3: maxmem: 18446744073709551615 MiB is more than pvhv allows "
     "(1048576 MiB = 1 TiB)"},
    {MIN_CFG "memory = 512\nmaxmem = 256\n",
     "t.cfg:4: maxmem: 256 MiB is less than memory (512 MiB)"},
    {MIN_CFG "maxmem = 256\nmemory = 512\n",
     "t.cfg:3: maxmem: 256 MiB is less than memory (512 MiB)"},
    {MIN_CFG "vcpus = 0\n", "t.cfg:3: vcpus: must be between 1 and 64, got 0"},
    {MIN_CFG "vcpus = 65\n",
     "t.cfg:3: vcpus: must be between 1 and 64, got 65"},
    {MIN_CFG "maxvcpus = 65\n",
     "t.cfg:3: maxvcpus: must be between 1 and 64, got 65"},
    {MIN_CFG "vcpus = 4\nmaxvcpus = 2\n",
     "t.cfg:4: maxvcpus: 2 is less than vcpus (4)"},
    {MIN_CFG "max_event_channels = 0\n", "t.cfg:3: max_event_channels: "
					 "must be between 1 and 4095, got "
					 "0"},
    {MIN_CFG "max_event_channels = 4097\n",
     "t.cfg:3: max_event_channels: must be between 1 and 4095, got 4097"},
    {MIN_CFG "max_grant_frames = 65\n",
     "t.cfg:3: max_grant_frames: must be between 1 and 64, got 65"},
    {MIN_CFG "max_grant_frames = 0\n",
     "t.cfg:3: max_grant_frames: must be between 1 and 64, got 0"},
    /* names */
    {"kernel='k'\nname = \"my vm\"\n",
     "t.cfg:2: name: \"my vm\" may only contain letters, digits, '_', '.' "
     "and '-'"},
    {"kernel='k'\nname = 'a/b'\n",
     "t.cfg:2: name: \"a/b\" may only contain letters, digits, '_', '.' "
     "and '-'"},
    {"kernel='k'\nname = 'caf\xc3\xa9'\n",
     "t.cfg:2: name: \"caf\\xc3\\xa9\" may only contain letters, digits, "
     "'_', '.' and '-'"},
    {"kernel='k'\nname = ''\n", "t.cfg:2: name: \"\" must not be empty"},
    {"kernel='k'\nname = '1234'\n", "t.cfg:2: name: \"1234\" must not be "
				    "all digits (it would read as a "
				    "domain id)"},
    {"kernel='k'\nname = 1234\n", "t.cfg:2: name: \"1234\" must not be all "
				  "digits (it would read as a domain id)"},
    {"kernel='k'\nname = 'Domain-0'\n", "t.cfg:2: name: \"Domain-0\" is "
					"the name of the control domain "
					"(the host)"},
    {"kernel='k'\nname = 'domain-0'\n", "t.cfg:2: name: \"domain-0\" is "
					"the name of the control domain "
					"(the host)"},
    {"kernel='k'\nname = '-vm'\n",
     "t.cfg:2: name: \"-vm\" must not start with '-' or '.'"},
    {"kernel='k'\nname = '..'\n",
     "t.cfg:2: name: \"..\" must not start with '-' or '.'"},
    {"kernel='k'\nname = "
     "'abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd'\n",
     "t.cfg:2: name: "
     "\"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd\" "
     "is longer than 63 characters"},
    /* domain types */
    {MIN_CFG "type = \"hv\"\n", "t.cfg:3: type: unknown domain type: pvhv "
				"runs PVH domains only (type = \"pvh\")"},
    {MIN_CFG "type = \"hvm\"\n", "t.cfg:3: type: HVM domains are not "
				 "supported: pvhv runs PVH domains only "
				 "(type = \"pvh\")"},
    {MIN_CFG "type = \"pv\"\n", "t.cfg:3: type: PV domains are not "
				"supported: pvhv runs PVH domains only "
				"(type = \"pvh\")"},
    {MIN_CFG "type = \"PVH\"\n", "t.cfg:3: type: unknown domain type: "
				 "pvhv runs PVH domains only (type = "
				 "\"pvh\")"},
    {MIN_CFG "builder = \"hvm\"\n", "t.cfg:3: builder: pvhv runs PVH "
				    "domains only: remove builder and use "
				    "type = \"pvh\""},
    {MIN_CFG "pvh = 0\n", "t.cfg:3: pvh: pvhv runs PVH domains only: "
			  "remove pvh = 0 or use type = \"pvh\""},
    /* keys */
    {MIN_CFG "colour = 'blue'\n", "t.cfg:3: unknown key 'colour'"},
    {MIN_CFG "strict_io = 2\n",
     "t.cfg:3: strict_io: must be between 0 and 1, got 2"},
    {MIN_CFG "Memory = 5\n", "t.cfg:3: unknown key 'Memory'"},
    {MIN_CFG "disk = ['phy:/dev/vg/vm,xvda,w']\n",
     "t.cfg:3: disk: not supported by pvhv yet"},
    {MIN_CFG "vif = ['bridge=br0']\n",
     "t.cfg:3: vif: not supported by pvhv yet"},
    {MIN_CFG "pci = []\n", "t.cfg:3: pci: not supported by pvhv yet"},
    {MIN_CFG "vfb = ['vnc=1']\n", "t.cfg:3: vfb: not supported by pvhv yet"},
    {MIN_CFG "usb = 1\n", "t.cfg:3: usb: not supported by pvhv yet"},
    {MIN_CFG "bootloader = 'pygrub'\n",
     "t.cfg:3: bootloader: not supported by pvhv yet"},
    {MIN_CFG "cpus = '0-3'\n", "t.cfg:3: cpus: not supported by pvhv yet"},
    /* actions */
    {MIN_CFG "on_crash = 'coredump-restart'\n",
     "t.cfg:3: on_crash: action \"coredump-restart\" is not supported by "
     "pvhv (use destroy, restart or preserve)"},
    {MIN_CFG "on_reboot = 'rename-restart'\n",
     "t.cfg:3: on_reboot: action \"rename-restart\" is not supported by "
     "pvhv (use destroy, restart or preserve)"},
    {MIN_CFG "on_watchdog = 'soft-reset'\n",
     "t.cfg:3: on_watchdog: action \"soft-reset\" is not supported by pvhv "
     "(use destroy, restart or preserve)"},
    {MIN_CFG "on_poweroff = 'coredump-destroy'\n",
     "t.cfg:3: on_poweroff: action \"coredump-destroy\" is not supported by "
     "pvhv (use destroy, restart or preserve)"},
    {MIN_CFG "on_poweroff = 'explode'\n",
     "t.cfg:3: on_poweroff: unknown action \"explode\" (use destroy, restart "
     "or preserve)"},
    {MIN_CFG "on_poweroff = 1\n", "t.cfg:3: on_poweroff: unknown action "
				  "\"1\" (use destroy, restart or "
				  "preserve)"},
    /* uuid */
    {MIN_CFG "uuid = 'not-a-uuid'\n",
     "t.cfg:3: uuid: expected a UUID like "
     "\"01234567-89ab-cdef-0123-456789abcdef\""},
    {MIN_CFG "uuid = '6b4a2c52-1f0e-4c1b-9a5d-0123456789abc'\n",
     "t.cfg:3: uuid: expected a UUID like "
     "\"01234567-89ab-cdef-0123-456789abcdef\""},
    {MIN_CFG "uuid = '6b4a2c521f0e4c1b9a5d0123456789ab'\n",
     "t.cfg:3: uuid: expected a UUID like "
     "\"01234567-89ab-cdef-0123-456789abcdef\""},
    {MIN_CFG "uuid = '6b4a2c52-1f0e-4c1b-9a5d-0123456789ag'\n",
     "t.cfg:3: uuid: expected a UUID like "
     "\"01234567-89ab-cdef-0123-456789abcdef\""},
    /* required keys */
    {"", "t.cfg: missing required key 'name'"},
    {"\n\n# nothing\n", "t.cfg: missing required key 'name'"},
    {"name = 'vm'\n", "t.cfg: missing required key 'kernel'"},
    {"kernel = 'k'\n", "t.cfg: missing required key 'name'"},
    {"name = 'vm'\nkernel = ''\n", "t.cfg:2: kernel: must not be empty"},
    /* the first bad key in file order is reported */
    {MIN_CFG "colour = 1\nmemory = 1\n", "t.cfg:3: unknown key 'colour'"},
    /* a key set twice: only the last assignment counts */
    {MIN_CFG "memory = 512\nmemory = 'lots'\n",
     "t.cfg:4: memory: expected a number, got \"lots\""},
};

static void test_bad_inputs(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		int r = parse(bad_inputs[i].in);

		CU_ASSERT(check_error(r, bad_inputs[i].in, bad_inputs[i].want));
		/* a failed parse leaves nothing to free */
		CU_ASSERT_PTR_NULL(dc.name);
		CU_ASSERT_PTR_NULL(dc.kernel);
		CU_ASSERT_PTR_NULL(dc.cmdline);
	}
}

static void test_nul_byte(void)
{
	static const char text[] = "name = 'vm'\nkernel = 'k'\nmem\0ory = 5\n";
	static const char text2[] = "name = 'v\0m'\n";
	int r;

	pvtool_domcfg_free(&dc);
	r = pvtool_domcfg_parse_buf("t.cfg", text, sizeof(text) - 1, NULL, 0,
				    &dc, errbuf, sizeof(errbuf));
	CU_ASSERT(check_error(r, "NUL", "t.cfg:3: NUL byte: not a text file"));
	r = pvtool_domcfg_parse_buf("t.cfg", text2, sizeof(text2) - 1, NULL, 0,
				    &dc, errbuf, sizeof(errbuf));
	CU_ASSERT(check_error(r, "NUL2", "t.cfg:1: NUL byte: not a text file"));
}

static int raw_parse(const char *buf, size_t len)
{
	pvtool_domcfg_free(&dc);
	return pvtool_domcfg_parse_buf("t.cfg", buf, len, NULL, 0, &dc, errbuf,
				       sizeof(errbuf));
}

static void test_huge_inputs(void)
{
	size_t big = PVTOOL_CFG_MAX_SIZE + 1, i;
	char *buf = malloc(big + 1);
	int r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memset(buf, '#', big);
	buf[big] = '\0';
	r = raw_parse(buf, big);
	CU_ASSERT_EQUAL(r, -EFBIG);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "t.cfg: larger than 1048576 bytes: not a "
			       "domain configuration");

	/* one line of almost 1 MiB: a very long string value */
	big = PVTOOL_CFG_MAX_SIZE;
	memcpy(buf, MIN_CFG "cmdline = '", strlen(MIN_CFG "cmdline = '"));
	for (i = strlen(MIN_CFG "cmdline = '"); i < big - 2; i++)
		buf[i] = 'a' + i % 26;
	buf[big - 2] = '\'';
	buf[big - 1] = '\n';
	r = raw_parse(buf, big);
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(strlen(dc.cmdline),
			big - 2 - strlen(MIN_CFG "cmdline = '"));

	/* a huge unterminated string and a huge unterminated list */
	buf[big - 2] = 'x';
	r = raw_parse(buf, big);
	CU_ASSERT(check_error(r, "long string",
			      "t.cfg:3: cmdline: unterminated string (missing "
			      "closing ' on this line)"));
	memcpy(buf, "disk = [", 8);
	for (i = 8; i + 2 <= big; i += 2)
		memcpy(buf + i, "1,", 2);
	r = raw_parse(buf, big);
	CU_ASSERT(check_error(r, "long list",
			      "t.cfg:1: disk: unterminated list: '[' without "
			      "']'"));

	/* deep nesting */
	memset(buf, '[', big);
	memcpy(buf, "x=", 2);
	r = raw_parse(buf, big);
	CU_ASSERT(check_error(r, "deep",
			      "t.cfg:1: x: lists nested more than 8 deep"));

	/* a very long key name */
	memset(buf, 'k', big);
	r = raw_parse(buf, big);
	CU_ASSERT(check_error(r, "long key",
			      "t.cfg:1: name 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
			      "...' is too long (more than 128 characters)"));
	/* many lines */
	memset(buf, '\n', big);
	memcpy(buf + big - 6, "x = ]", 5);
	r = raw_parse(buf, big);
	CU_ASSERT(check_error(r, "many lines",
			      "t.cfg:1048571: x: expected a value (a number, a "
			      "\"string\" or a [list]), got ']'"));
	free(buf);
}

static void test_error_buffer(void)
{
	char small[12];
	int r;

	pvtool_domcfg_free(&dc);
	r = pvtool_domcfg_parse_buf("t.cfg", "memory = x", 10, NULL, 0, &dc,
				    NULL, 0);
	CU_ASSERT_EQUAL(r, -EINVAL);
	r = pvtool_domcfg_parse_buf("t.cfg", "memory = x", 10, NULL, 0, &dc,
				    small, sizeof(small));
	CU_ASSERT_EQUAL(r, -EINVAL);
	CU_ASSERT_STRING_EQUAL(small, "t.cfg:1: me");
	r = pvtool_domcfg_parse_buf("a-rather-long-source-name.cfg", "", 0,
				    NULL, 0, &dc, small, sizeof(small));
	CU_ASSERT_EQUAL(r, -EINVAL);
	CU_ASSERT_STRING_EQUAL(small, "a-rather-lo");
	r = pvtool_domcfg_parse_buf("t.cfg", NULL, 0, NULL, 0, &dc, errbuf,
				    sizeof(errbuf));
	CU_ASSERT_STRING_EQUAL(errbuf, "t.cfg: missing required key 'name'");
	r = pvtool_domcfg_parse_buf("t.cfg", NULL, 5, NULL, 0, &dc, errbuf,
				    sizeof(errbuf));
	CU_ASSERT_EQUAL(r, -EINVAL);
}

/* ---------------------------------------------------------- files */

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void test_files(void)
{
	char dir[] = "/tmp/test_cfg.XXXXXX", path[64], want[160];
	char *ov[] = {"memory=64"};
	int r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hello.cfg", dir);
	write_file(path, MIN_CFG "memory = 512\n", strlen(MIN_CFG) + 13);
	pvtool_domcfg_free(&dc);
	r = pvtool_domcfg_parse(path, ov, 1, &dc, errbuf, sizeof(errbuf));
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_EQUAL(dc.memory_mib, 64);
	pvtool_domcfg_free(&dc);

	write_file(path, MIN_CFG "\n\n\n\nmemory = \"abc\"\n",
		   strlen(MIN_CFG) + 19);
	r = pvtool_domcfg_parse(path, NULL, 0, &dc, errbuf, sizeof(errbuf));
	snprintf(want, sizeof(want),
		 "%s:7: memory: expected a number, got \"abc\"", path);
	CU_ASSERT(check_error(r, path, want));

	unlink(path);
	r = pvtool_domcfg_parse(path, NULL, 0, &dc, errbuf, sizeof(errbuf));
	CU_ASSERT_EQUAL(r, -ENOENT);
	snprintf(want, sizeof(want),
		 "%s: cannot open: No such file or directory", path);
	CU_ASSERT_STRING_EQUAL(errbuf, want);

	r = pvtool_domcfg_parse(dir, NULL, 0, &dc, errbuf, sizeof(errbuf));
	CU_ASSERT_EQUAL(r, -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", dir);
	CU_ASSERT_STRING_EQUAL(errbuf, want);

	{
		size_t n = PVTOOL_CFG_MAX_SIZE + 1;
		char *big = malloc(n);

		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		memset(big, '\n', n);
		write_file(path, big, n);
		free(big);
		r = pvtool_domcfg_parse(path, NULL, 0, &dc, errbuf,
					sizeof(errbuf));
		CU_ASSERT_EQUAL(r, -EFBIG);
		snprintf(want, sizeof(want),
			 "%s: larger than 1048576 bytes: not a domain "
			 "configuration",
			 path);
		CU_ASSERT_STRING_EQUAL(errbuf, want);
	}
	/* /dev/null reads as an empty file */
	r = pvtool_domcfg_parse("/dev/null", NULL, 0, &dc, errbuf,
				sizeof(errbuf));
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "/dev/null: missing required key 'name'");
	unlink(path);
	rmdir(dir);
}

/* ---------------------------------------------------------- fuzz-ish */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Either success or an error starting with the source name. */
static int parse_sane(const char *buf, size_t len, char *const ov[], int n)
{
	int r;

	pvtool_domcfg_free(&dc);
	memset(errbuf, 0, sizeof(errbuf));
	r = pvtool_domcfg_parse_buf("fz.cfg", buf, len, ov, n, &dc, errbuf,
				    sizeof(errbuf));
	if (r == 0)
		return dc.name && dc.kernel && dc.cmdline &&
		       dc.vcpus <= dc.maxvcpus &&
		       dc.memory_mib <= dc.maxmem_mib;
	if (r > 0)
		return 0;
	if (!strncmp(errbuf, "fz.cfg:", 7) || !strncmp(errbuf, "fz.cfg: ", 8) ||
	    !strncmp(errbuf, "command line argument ", 22))
		return 1;
	fprintf(stderr, "\nbad error %d: %s\n", r, errbuf);
	return 0;
}

static void test_fuzz_random(void)
{
	static const char alphabet[] = "ab=+[],;#'\"\\\n\t 0x19zq_";
	char buf[256];
	int i, bad = 0;
	size_t len, j;

	for (i = 0; i < 20000; i++) {
		len = rnd() % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = i & 1
				     ? (char)rnd()
				     : alphabet[rnd() % (sizeof(alphabet) - 1)];
		bad += !parse_sane(buf, len, NULL, 0);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_fuzz_mutations(void)
{
	static const char base[] =
	    "name = \"vm1\"\nkernel = '/boot/k'\nramdisk='r'\n"
	    "memory = 0x100 ; maxmem = 512\nvcpus=2\nmaxvcpus = 4\n"
	    "extra = \"console=hvc0 \\x41\\n\"\nroot='/dev/xvda'\n"
	    "on_crash = 'preserve' # c\nuuid='6b4a2c52-1f0e-4c1b-9a5d-"
	    "0123456789ab'\n";
	static const char *const pieces[] = {"[",
					     "]",
					     ",",
					     "=",
					     "+=",
					     "'",
					     "\"",
					     "\\",
					     "\n",
					     "#",
					     ";",
					     "0x",
					     "99999999999999999999",
					     "\\x",
					     "memory",
					     "name",
					     "\xff"};
	char buf[sizeof(base) + 64], ovbuf[64];
	char *ov[] = {ovbuf};
	int i, k, bad = 0, ok = 0;
	size_t len, at, n;

	for (i = 0; i < 20000; i++) {
		memcpy(buf, base, sizeof(base) - 1);
		len = sizeof(base) - 1;
		for (k = 0; k < 1 + (int)(rnd() % 4); k++) {
			at = rnd() % len;
			switch (rnd() % 3) {
			case 0: /* flip a byte */
				buf[at] = (char)rnd();
				break;
			case 1: /* delete a few bytes */
				n = rnd() % 8;
				n = n > len - at ? len - at : n;
				memmove(buf + at, buf + at + n, len - at - n);
				len -= n;
				break;
			default: { /* insert a token-ish piece */
				const char *p = pieces[rnd() % 17];

				n = strlen(p);
				if (len + n > sizeof(buf))
					break;
				memmove(buf + at + n, buf + at, len - at);
				memcpy(buf + at, p, n);
				len += n;
			}
			}
		}
		snprintf(ovbuf, sizeof(ovbuf), "%.*s", (int)(rnd() % 20),
			 buf + rnd() % (len ? len : 1));
		if (len == 0)
			ovbuf[0] = '\0';
		bad += !parse_sane(buf, len, ov, (int)(rnd() % 2));
		ok += errbuf[0] == '\0';
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(ok > 0); /* some mutations leave a valid config */
}

static void test_cleanup(void)
{
	pvtool_domcfg_free(&dc);
	pvtool_domcfg_free(&dc); /* twice is safe */
	pvtool_cfg_free(gcfg);
	gcfg = NULL;
	pvtool_cfg_free(NULL);
}

static CU_TestInfo tests[] = {
    {"defaults", test_defaults},
    {"every key", test_every_key},
    {"limits accepted", test_limits_accepted},
    {"cmdline from root and extra", test_cmdline},
    {"overrides", test_overrides},
    {"man page example", test_man_example},
    {"actions", test_actions},
    {"type spellings and loose types", test_type_spellings},
    {"strings and escapes", test_strings},
    {"numbers", test_numbers},
    {"separators and comments", test_separators_comments},
    {"last assignment wins", test_last_wins},
    {"generic: lists", test_generic_lists},
    {"generic: += and typed access", test_generic_append},
    {"generic: errors", test_generic_errors},
    {"generic: many keys", test_generic_many_keys},
    {"bad inputs", test_bad_inputs},
    {"NUL bytes", test_nul_byte},
    {"huge inputs", test_huge_inputs},
    {"error buffer", test_error_buffer},
    {"files", test_files},
    {"fuzz: random bytes", test_fuzz_random},
    {"fuzz: mutations", test_fuzz_mutations},
    {"cleanup", test_cleanup},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("cfg", tests);
}
