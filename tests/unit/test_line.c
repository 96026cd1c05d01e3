/* kernel/shell/line.c: the line editor over a byte stream, its echo and
 * its history. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "kernel/shell/line.h"
#include "check_main.h"

static char echo[65536];
static size_t echo_len;
static int completions;
static struct line_ed le;

static void out(const char *s, size_t n)
{
	ck_assert_uint_lt(echo_len + n, sizeof(echo));
	memcpy(echo + echo_len, s, n);
	echo_len += n;
	echo[echo_len] = '\0';
}

static void complete(struct line_ed *l)
{
	completions++;
	line_insert(l, "lete ", 5);
}

static void setup(void)
{
	echo_len = 0;
	echo[0] = '\0';
	completions = 0;
	line_init(&le, "> ", out, complete);
	line_start(&le);
}

/* feed s; returns the result of its last byte */
static enum line_result feed(const char *s)
{
	enum line_result r = LINE_EDITING;

	for (; *s; s++)
		r = line_feed(&le, (unsigned char)*s);
	return r;
}

static void expect_line(const char *keys, const char *want)
{
	line_start(&le);
	ck_assert_int_eq(feed(keys), LINE_EDITING);
	ck_assert_int_eq(feed("\r"), LINE_ENTER);
	ck_assert_msg(!strcmp(le.buf, want), "keys \"%s\": \"%s\", want \"%s\"", keys, le.buf, want);
	ck_assert_uint_eq(le.len, strlen(want));
}

START_TEST(editing_keys)
{
	expect_line("abc", "abc");
	expect_line("abx\x7f" "c", "abc");
	expect_line("abx\x08" "c", "abc");
	expect_line("\x7f\x7f" "a", "a");                      /* nothing to delete */
	expect_line("junk\x15" "ok", "ok");
	expect_line("ab cd\x1b[D\x1b[D\x15" "x", "xcd");        /* ^U: start to cursor */
	expect_line("one two\x17" "three", "one three");
	expect_line("one two  \x17\x17", "");
	expect_line("ac\x1b[Db", "abc");
	expect_line("bc\x1b[Ha", "abc");
	expect_line("bc\x1b[1~a\x1b[4~d", "abcd");
	expect_line("bc\x1b[7~a\x1b[8~d", "abcd");
	expect_line("bc\x1bOHa\x1bOFd", "abcd");
	expect_line("bc\x01" "a\x05" "d", "abcd");              /* ^A ^E */
	expect_line("ac\x02" "b\x06" "d", "abcd");              /* ^B ^F */
	expect_line("abXc\x1b[D\x1b[D\x1b[3~", "abc");
	expect_line("abXc\x1b[D\x1b[D\x04", "abc");             /* ^D */
	expect_line("abcXYZ\x1b[D\x1b[D\x1b[D\x0b", "abc");     /* ^K */
	expect_line("a\x1b[5~\x1b[200;3Zb\x1bxc", "abc");       /* unknown sequences */
	expect_line("bc\x1b[1;5Ha", "abc");                    /* Ctrl+Home is Home */
	expect_line("a\x1b[D\x1b[D\x1b[D" "b", "ba");           /* left stops at 0 */
	expect_line("a\x1b[C\x1b[C" "b", "ab");                 /* right stops at end */
}
END_TEST

START_TEST(echo_and_redraw)
{
	echo_len = 0;
	feed("ab");
	ck_assert_str_eq(echo, "ab");                           /* appends echo plainly */
	feed("\x1b[D");
	/* anything else redraws: CR, prompt, line, erase to end, cursor back */
	ck_assert_str_eq(echo, "ab\r> ab\x1b[K\x1b[1D");
	echo_len = 0;
	ck_assert_int_eq(feed("\r"), LINE_ENTER);
	ck_assert_str_eq(echo, "\n");
}
END_TEST

START_TEST(enter_and_cancel)
{
	ck_assert_int_eq(feed("a\r"), LINE_ENTER);
	line_start(&le);
	/* the LF of a CR LF is not a second Enter */
	ck_assert_int_eq(line_feed(&le, '\n'), LINE_EDITING);
	ck_assert_int_eq(feed("b\n"), LINE_ENTER);
	ck_assert_str_eq(le.buf, "b");
	line_start(&le);
	echo_len = 0;
	ck_assert_int_eq(feed("never\x03"), LINE_CANCEL);
	ck_assert_ptr_nonnull(strstr(echo, "^C\n"));
	ck_assert_str_eq(line_history_get(&le, 1), "b");       /* not remembered */
}
END_TEST

START_TEST(long_lines_are_cut)
{
	char keys[600];

	memset(keys, 'x', sizeof(keys) - 1);
	keys[sizeof(keys) - 1] = '\0';
	line_start(&le);
	feed(keys);
	ck_assert_uint_eq(le.len, SHELL_LINE_MAX - 1);
	feed("\x1b[H");
	feed("y");                      /* full: nothing more goes in */
	ck_assert_int_eq(le.buf[0], 'x');
}
END_TEST

START_TEST(history)
{
	char line[32];

	expect_line("first", "first");
	expect_line("second", "second");
	expect_line("second", "second");                        /* a repeat is kept once */
	expect_line("", "");                                    /* an empty line is not kept */
	ck_assert_uint_eq(line_history_count(&le), 2);
	expect_line("\x1b[A\x1b[A", "first");
	expect_line("\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A", "first");   /* stops at the oldest */
	expect_line("typed\x1b[A\x1b[B", "typed");              /* Down gives it back */
	/* newest first: typed, first, second, first */
	expect_line("\x10\x10\x10\x10\x0e", "second");        /* ^P x4, ^N */
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "cmd%d", i);
		expect_line(line, line);
	}
	ck_assert_uint_eq(line_history_count(&le), SHELL_HISTORY);
	ck_assert_str_eq(line_history_get(&le, 1), "cmd99");
	snprintf(line, sizeof(line), "cmd%d", 100 - SHELL_HISTORY);
	ck_assert_str_eq(line_history_get(&le, SHELL_HISTORY), line);
	ck_assert_ptr_null(line_history_get(&le, SHELL_HISTORY + 1));
	ck_assert_ptr_null(line_history_get(&le, 0));
}
END_TEST

START_TEST(tab_calls_completion)
{
	expect_line("comp\t", "complete ");
	ck_assert_int_eq(completions, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("line");
	TCase *tc = tcase_create("editor");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, editing_keys);
	tcase_add_test(tc, echo_and_redraw);
	tcase_add_test(tc, enter_and_cancel);
	tcase_add_test(tc, long_lines_are_cut);
	tcase_add_test(tc, history);
	tcase_add_test(tc, tab_calls_completion);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
