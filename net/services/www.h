/* The dashboard's static files (net/services/www_assets.S embeds them),
 * served by the HTTP service as they are. */
#ifndef NET_SERVICES_WWW_H
#define NET_SERVICES_WWW_H

#include "kernel/types.h"

struct www_file {
	const char *path;           /* the URL path, "/" for the page */
	const char *type;           /* Content-Type */
	const u8 *start, *end;      /* the bytes, in the image's .rodata */
};

/* the embedded file served at path, or NULL */
const struct www_file *www_find(const char *path);

#endif
