/* The out-of-line user copies: the same code as the inline forms in
 * kernel/uaccess.h (one definition of each copy and its exception-table
 * fixups), as a call for the callers that do not run once per datagram.
 * The other accessors are in uaccess.S. */
#include "kernel/uaccess.h"

unsigned long uaccess_copy(void *dst, const void *src, size_t n)
{
	return uaccess_copy_inline(dst, src, n);
}

int uaccess_name_out(void *dst, const void *src, int len, u32 *ulen)
{
	return uaccess_name_out_inline(dst, src, len, ulen);
}
