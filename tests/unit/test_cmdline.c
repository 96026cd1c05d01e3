/* cmdline_split: the kernel command-line tokenizer. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "check_main.h"

struct seen {
	int n;
	char keys[16][CMDLINE_KEY_MAX];
	char values[16][CMDLINE_VALUE_MAX];
	int errors;
	size_t err_pos;
};

static int collect(const char *key, const char *value, void *ctx)
{
	struct seen *s = ctx;

	ck_assert_int_lt(s->n, 16);
	strcpy(s->keys[s->n], key);
	strcpy(s->values[s->n], value);
	s->n++;
	return 0;
}

static void on_err(size_t pos, const char *msg, void *ctx)
{
	struct seen *s = ctx;

	(void)msg;
	s->errors++;
	s->err_pos = pos;
}

START_TEST(keys_values_and_bare_flags)
{
	struct seen s = { 0 };

	ck_assert_int_eq(cmdline_split("  ip=10.0.2.15/24,10.0.2.2 quiet  irqmode=msix ", collect, on_err, &s), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_str_eq(s.keys[0], "ip");
	ck_assert_str_eq(s.values[0], "10.0.2.15/24,10.0.2.2");
	ck_assert_str_eq(s.keys[1], "quiet");
	ck_assert_str_eq(s.values[1], "");
	ck_assert_str_eq(s.keys[2], "irqmode");
	ck_assert_str_eq(s.values[2], "msix");
	ck_assert_int_eq(s.errors, 0);
}
END_TEST

START_TEST(double_dash_ends_the_options)
{
	struct seen s = { 0 };
	char buf[128];
	char *argv[8];
	const char *rest;

	ck_assert_int_eq(cmdline_split("ip=dhcp -- -p 5201 exit=x", collect, on_err, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.keys[0], "ip");
	rest = cmdline_app_args("ip=dhcp -- -p 5201 \"two words\"");
	ck_assert_ptr_nonnull(rest);
	strcpy(buf, rest);
	ck_assert_int_eq(cmdline_argv_split(buf, argv, 8), 3);
	ck_assert_str_eq(argv[0], "-p");
	ck_assert_str_eq(argv[1], "5201");
	ck_assert_str_eq(argv[2], "two words");
	ck_assert_ptr_null(cmdline_app_args("ip=dhcp --x a=\"--\""));
	strcpy(buf, "a b c");
	ck_assert_int_eq(cmdline_argv_split(buf, argv, 2), -E2BIG);
	strcpy(buf, "a \"b");
	ck_assert_int_eq(cmdline_argv_split(buf, argv, 8), -EINVAL);
	strcpy(buf, "   ");
	ck_assert_int_eq(cmdline_argv_split(buf, argv, 8), 0);
}
END_TEST

START_TEST(quoted_value_keeps_spaces)
{
	struct seen s = { 0 };

	ck_assert_int_eq(cmdline_split("motd=\"hello world\" x=1", collect, on_err, &s), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.values[0], "hello world");
	ck_assert_str_eq(s.keys[1], "x");
}
END_TEST

START_TEST(malformed_input_is_refused)
{
	struct seen s = { 0 };

	ck_assert_int_eq(cmdline_split("a=1 =2", collect, on_err, &s), -EINVAL);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.errors, 1);
	ck_assert_uint_eq(s.err_pos, 4);

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(cmdline_split("a=\"open", collect, on_err, &s), -EINVAL);
	ck_assert_int_eq(s.n, 0);

	char longkey[CMDLINE_KEY_MAX + 8];
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(cmdline_split(longkey, collect, on_err, &s), -EINVAL);

	char longval[CMDLINE_VALUE_MAX + 8] = "v=";
	memset(longval + 2, 'x', sizeof(longval) - 3);
	longval[sizeof(longval) - 1] = '\0';
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(cmdline_split(longval, collect, on_err, &s), -EINVAL);
}
END_TEST

static int stop_at_second(const char *key, const char *value, void *ctx)
{
	(void)key;
	(void)value;
	return ++*(int *)ctx == 2 ? -EEXIST : 0;
}

START_TEST(callback_error_stops_the_walk)
{
	int calls = 0;

	ck_assert_int_eq(cmdline_split("a b c d", stop_at_second, NULL, &calls), -EEXIST);
	ck_assert_int_eq(calls, 2);
}
END_TEST

START_TEST(empty_line)
{
	struct seen s = { 0 };

	ck_assert_int_eq(cmdline_split("", collect, on_err, &s), 0);
	ck_assert_int_eq(cmdline_split("   ", collect, on_err, &s), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

static bool secret_token(const char *key)
{
	return !strcmp(key, "shell.token");
}

START_TEST(redact_hides_secret_values_only)
{
	char s[] = "shell.tcp=2323 shell.token=s3cr3t-value x=\"a b\" shell.token=\"q t\" "
		   "shell.tokenx=keep shell.token";

	cmdline_redact(s, secret_token);
	ck_assert_str_eq(s, "shell.tcp=2323 shell.token=************ x=\"a b\" "
			 "shell.token=\"***\" shell.tokenx=keep shell.token");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc = tcase_create("split");

	tcase_add_test(tc, keys_values_and_bare_flags);
	tcase_add_test(tc, double_dash_ends_the_options);
	tcase_add_test(tc, quoted_value_keeps_spaces);
	tcase_add_test(tc, malformed_input_is_refused);
	tcase_add_test(tc, callback_error_stops_the_walk);
	tcase_add_test(tc, empty_line);
	tcase_add_test(tc, redact_hides_secret_values_only);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
