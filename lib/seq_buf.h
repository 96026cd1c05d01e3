/* seq_buf: append formatted text to a fixed buffer, counting what would
 * not fit, so a show function can return the length it needed the way
 * snprintf does (call once with a NULL buffer to size it, once to fill). */
#ifndef LIB_SEQ_BUF_H
#define LIB_SEQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct seq_buf {
	char *buf;      /* NULL: only count */
	size_t size;
	size_t len;     /* bytes produced so far, also past size */
};

static inline void seq_buf_init(struct seq_buf *s, char *buf, size_t size)
{
	s->buf = buf;
	s->size = buf ? size : 0;
	s->len = 0;
	if (buf && size)
		buf[0] = '\0';
}

/* printf into s; the buffer stays NUL-terminated (when size > 0) */
void seq_buf_printf(struct seq_buf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void seq_buf_vprintf(struct seq_buf *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void seq_buf_puts(struct seq_buf *s, const char *str);

/* the length needed for everything appended, as an int (show's return) */
static inline int seq_buf_used(const struct seq_buf *s)
{
	return (int)s->len;
}

#endif
