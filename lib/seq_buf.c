/* seq_buf: formatted appends into a bounded buffer (see lib/seq_buf.h). */
#include "lib/seq_buf.h"
#include <stdbool.h>
#include <stdio.h>

void seq_buf_vprintf(struct seq_buf *s, const char *fmt, va_list ap)
{
	bool room = s->len < s->size;
	int n = vsnprintf(room ? s->buf + s->len : NULL, room ? s->size - s->len : 0, fmt, ap);

	if (n > 0)
		s->len += (size_t)n;
}

void seq_buf_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seq_buf_vprintf(s, fmt, ap);
	va_end(ap);
}

void seq_buf_puts(struct seq_buf *s, const char *str)
{
	seq_buf_printf(s, "%s", str);
}
