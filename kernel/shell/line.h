/* The shell's line editor: one line of input with a cursor, edited by the
 * keys a serial terminal sends, and a history.  Pure logic over a byte
 * stream and an output callback (no hardware), so it is host-testable.
 *
 * Keys: printable ASCII inserts at the cursor; Backspace (DEL or ^H)
 * deletes before it, Delete (ESC [3~) or ^D at it; ^U kills from the line
 * start to the cursor, ^K from the cursor to the end, ^W the word before
 * the cursor; Left/Right (ESC [D, ESC [C or ^B/^F), Home/End (ESC [H,
 * ESC [F, ESC [1~ ESC [4~, ESC OH ESC OF, or ^A/^E) move; Up/Down (ESC [A,
 * ESC [B or ^P/^N) walk the history; Tab calls the completion hook; ^C
 * abandons the line; ^L redraws it; Enter (CR, LF or CR LF) ends it. */
#ifndef KERNEL_SHELL_LINE_H
#define KERNEL_SHELL_LINE_H

#include "kernel/types.h"

#ifndef SHELL_LINE_MAX
#define SHELL_LINE_MAX  256     /* bytes in a line, with its NUL */
#endif
#ifndef SHELL_HISTORY
#define SHELL_HISTORY   64      /* lines remembered */
#endif

enum line_result {
	LINE_EDITING,           /* the line is not finished */
	LINE_ENTER,             /* Enter: buf holds the line */
	LINE_CANCEL,            /* ^C: the line was abandoned */
};

enum line_esc { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

struct line_ed {
	char buf[SHELL_LINE_MAX];
	unsigned int len;               /* bytes in buf (NUL-terminated) */
	unsigned int pos;               /* cursor, 0..len */
	const char *prompt;
	void (*write)(const char *s, size_t n);
	void (*complete)(struct line_ed *le);   /* Tab; may be NULL */
	/* escape sequence being received */
	enum line_esc esc;
	unsigned int esc_num;
	bool last_cr;                   /* swallow the LF of a CR LF */
	/* history: hist[(hist_n - k) % SHELL_HISTORY] is the k-th most recent */
	char hist[SHELL_HISTORY][SHELL_LINE_MAX];
	unsigned int hist_n;            /* lines ever added */
	unsigned int hist_pos;          /* 0: the edited line; k: k-th most recent */
	char saved[SHELL_LINE_MAX];     /* the edited line while browsing */
};

/* set up: prompt, output and completion hooks; history empty */
void line_init(struct line_ed *le, const char *prompt,
	       void (*write)(const char *s, size_t n), void (*complete)(struct line_ed *le));
/* a fresh empty line: print the prompt */
void line_start(struct line_ed *le);
/* feed one received byte */
enum line_result line_feed(struct line_ed *le, int c);
/* insert n bytes at the cursor (completion), redrawing as needed */
void line_insert(struct line_ed *le, const char *s, size_t n);
/* print the prompt and the line again, cursor in place */
void line_refresh(struct line_ed *le);
/* remember a line (not an empty one, nor a repeat of the last) */
void line_history_add(struct line_ed *le, const char *s);
/* the k-th most recent line (1 = the last), or NULL */
const char *line_history_get(const struct line_ed *le, unsigned int k);
/* lines available (at most SHELL_HISTORY) */
unsigned int line_history_count(const struct line_ed *le);

#endif
