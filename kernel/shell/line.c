/* The shell's line editor (see kernel/shell/line.h).  Output uses ECMA-48
 * control functions, which every terminal emulator understands: CR to
 * return to column 0, CSI K (EL) to erase to the end of the line, CSI n D
 * (CUB) to move the cursor n columns left. */
#include "kernel/shell/line.h"
#include <stdio.h>
#include <string.h>

#define KEY_CTRL(c)     ((c) & 0x1f)    /* the C0 code Ctrl+letter sends */
#define KEY_BS          0x08            /* ^H */
#define KEY_TAB         0x09
#define KEY_LF          0x0a
#define KEY_CR          0x0d
#define KEY_ESC         0x1b
#define KEY_DEL         0x7f            /* what Backspace sends on most terminals */
#define KEY_PRINT_FIRST 0x20
#define KEY_PRINT_LAST  0x7e

/* ECMA-48 8.3.16 CSI, SS3 (ISO 2022 single shift 3: xterm's application
 * cursor keys send ESC O A ...) */
#define ESC_CSI_INTRO   '['
#define ESC_SS3_INTRO   'O'
/* final bytes: CUU/CUD/CUF/CUB arrows, xterm Home/End */
#define CSI_UP          'A'
#define CSI_DOWN        'B'
#define CSI_RIGHT       'C'
#define CSI_LEFT        'D'
#define CSI_END         'F'
#define CSI_HOME        'H'
#define CSI_VT          '~'             /* VT220 editing keys: ESC [ n ~ */
#define VT_HOME         1
#define VT_DELETE       3
#define VT_END          4
#define VT_HOME_RXVT    7
#define VT_END_RXVT     8
#define ESC_NUM_MAX     99

#define EL_TO_END       "\x1b[K"        /* ECMA-48 8.3.41 EL, Ps = 0 */

static void out(struct line_ed *le, const char *s, size_t n)
{
	if (le->write && n)
		le->write(s, n);
}

static void outs(struct line_ed *le, const char *s)
{
	out(le, s, strlen(s));
}

void line_refresh(struct line_ed *le)
{
	char cub[16];

	outs(le, "\r");
	outs(le, le->prompt);
	out(le, le->buf, le->len);
	outs(le, EL_TO_END);
	if (le->pos < le->len) {
		snprintf(cub, sizeof(cub), "\x1b[%uD", le->len - le->pos);
		outs(le, cub);
	}
}

void line_init(struct line_ed *le, const char *prompt,
	       void (*write)(const char *s, size_t n), void (*complete)(struct line_ed *le))
{
	memset(le, 0, sizeof(*le));
	le->prompt = prompt;
	le->write = write;
	le->complete = complete;
}

void line_start(struct line_ed *le)
{
	le->len = le->pos = 0;
	le->buf[0] = '\0';
	le->esc = ESC_NONE;
	le->hist_pos = 0;
	outs(le, le->prompt);
}

void line_insert(struct line_ed *le, const char *s, size_t n)
{
	bool at_end = le->pos == le->len;

	if (n > SHELL_LINE_MAX - 1 - le->len)
		n = SHELL_LINE_MAX - 1 - le->len;
	if (!n)
		return;
	memmove(le->buf + le->pos + n, le->buf + le->pos, le->len - le->pos + 1);
	memcpy(le->buf + le->pos, s, n);
	le->len += n;
	le->pos += n;
	if (at_end)
		out(le, s, n);          /* the common case: plain echo */
	else
		line_refresh(le);
}

/* remove [from, to) and put the cursor at from */
static void line_delete(struct line_ed *le, unsigned int from, unsigned int to)
{
	if (from >= to)
		return;
	memmove(le->buf + from, le->buf + to, le->len - to + 1);
	le->len -= to - from;
	le->pos = from;
	line_refresh(le);
}

static void line_move(struct line_ed *le, unsigned int pos)
{
	if (pos == le->pos)
		return;
	le->pos = pos;
	line_refresh(le);
}

static void line_set(struct line_ed *le, const char *s)
{
	snprintf(le->buf, sizeof(le->buf), "%s", s);
	le->len = le->pos = strlen(le->buf);
	line_refresh(le);
}

unsigned int line_history_count(const struct line_ed *le)
{
	return le->hist_n < SHELL_HISTORY ? le->hist_n : SHELL_HISTORY;
}

const char *line_history_get(const struct line_ed *le, unsigned int k)
{
	if (k == 0 || k > line_history_count(le))
		return NULL;
	return le->hist[(le->hist_n - k) % SHELL_HISTORY];
}

void line_history_add(struct line_ed *le, const char *s)
{
	const char *last = line_history_get(le, 1);

	if (!*s || (last && !strcmp(last, s)))
		return;
	snprintf(le->hist[le->hist_n % SHELL_HISTORY], SHELL_LINE_MAX, "%s", s);
	le->hist_n++;
}

static void history_walk(struct line_ed *le, bool older)
{
	unsigned int k = le->hist_pos;

	if (older && k < line_history_count(le))
		k++;
	else if (!older && k > 0)
		k--;
	else
		return;
	if (le->hist_pos == 0)
		snprintf(le->saved, sizeof(le->saved), "%s", le->buf);
	le->hist_pos = k;
	line_set(le, k ? line_history_get(le, k) : le->saved);
}

/* the start of the word before the cursor (^W: whitespace-delimited) */
static unsigned int word_start(const struct line_ed *le)
{
	unsigned int p = le->pos;

	while (p > 0 && le->buf[p - 1] == ' ')
		p--;
	while (p > 0 && le->buf[p - 1] != ' ')
		p--;
	return p;
}

static void key_left(struct line_ed *le)
{
	if (le->pos > 0)
		line_move(le, le->pos - 1);
}

static void key_right(struct line_ed *le)
{
	if (le->pos < le->len)
		line_move(le, le->pos + 1);
}

static void key_delete(struct line_ed *le)
{
	if (le->pos < le->len)
		line_delete(le, le->pos, le->pos + 1);
}

/* the final byte of ESC [ ... or ESC O ... */
static void esc_final(struct line_ed *le, int c)
{
	switch (c) {
	case CSI_UP:
		history_walk(le, true);
		break;
	case CSI_DOWN:
		history_walk(le, false);
		break;
	case CSI_RIGHT:
		key_right(le);
		break;
	case CSI_LEFT:
		key_left(le);
		break;
	case CSI_HOME:
		line_move(le, 0);
		break;
	case CSI_END:
		line_move(le, le->len);
		break;
	case CSI_VT:
		if (le->esc_num == VT_HOME || le->esc_num == VT_HOME_RXVT)
			line_move(le, 0);
		else if (le->esc_num == VT_END || le->esc_num == VT_END_RXVT)
			line_move(le, le->len);
		else if (le->esc_num == VT_DELETE)
			key_delete(le);
		break;
	default:
		break;          /* an unknown sequence is ignored whole */
	}
}

/* a byte inside an escape sequence; returns true if it was consumed */
static bool esc_feed(struct line_ed *le, int c)
{
	switch (le->esc) {
	case ESC_NONE:
		return false;
	case ESC_START:
		le->esc_num = 0;
		le->esc = c == ESC_CSI_INTRO ? ESC_CSI : c == ESC_SS3_INTRO ? ESC_SS3 : ESC_NONE;
		return true;
	case ESC_CSI:
		/* ECMA-48 5.4: parameter bytes 0x30-0x3f, then intermediates,
		 * then one final byte 0x40-0x7e */
		if (c >= '0' && c <= '9') {
			if (le->esc_num <= ESC_NUM_MAX)
				le->esc_num = le->esc_num * 10 + (c - '0');
			return true;
		}
		if (c < '@' || c > '~')
			return true;    /* other parameter/intermediate bytes */
		break;
	case ESC_SS3:
		break;
	}
	le->esc = ESC_NONE;
	esc_final(le, c);
	return true;
}

enum line_result line_feed(struct line_ed *le, int c)
{
	bool was_cr = le->last_cr;

	c &= 0xff;
	le->last_cr = c == KEY_CR;
	if (esc_feed(le, c))
		return LINE_EDITING;
	if (c >= KEY_PRINT_FIRST && c <= KEY_PRINT_LAST) {
		char ch = (char)c;

		line_insert(le, &ch, 1);
		return LINE_EDITING;
	}
	switch (c) {
	case KEY_LF:
		if (was_cr)
			return LINE_EDITING;
		/* fall through */
	case KEY_CR:
		outs(le, "\n");
		line_history_add(le, le->buf);
		return LINE_ENTER;
	case KEY_CTRL('C'):
		outs(le, "^C\n");
		return LINE_CANCEL;
	case KEY_ESC:
		le->esc = ESC_START;
		break;
	case KEY_DEL:
	case KEY_BS:
		if (le->pos > 0)
			line_delete(le, le->pos - 1, le->pos);
		break;
	case KEY_CTRL('D'):
		key_delete(le);
		break;
	case KEY_CTRL('U'):
		line_delete(le, 0, le->pos);
		break;
	case KEY_CTRL('K'):
		if (le->pos < le->len) {
			le->buf[le->pos] = '\0';
			le->len = le->pos;
			line_refresh(le);
		}
		break;
	case KEY_CTRL('W'):
		line_delete(le, word_start(le), le->pos);
		break;
	case KEY_CTRL('A'):
		line_move(le, 0);
		break;
	case KEY_CTRL('E'):
		line_move(le, le->len);
		break;
	case KEY_CTRL('B'):
		key_left(le);
		break;
	case KEY_CTRL('F'):
		key_right(le);
		break;
	case KEY_CTRL('P'):
		history_walk(le, true);
		break;
	case KEY_CTRL('N'):
		history_walk(le, false);
		break;
	case KEY_CTRL('L'):
		line_refresh(le);
		break;
	case KEY_TAB:
		if (le->complete)
			le->complete(le);
		break;
	default:
		break;          /* other control bytes are ignored */
	}
	return LINE_EDITING;
}
