/* The dashboard's files, embedded in the image as they are (.incbin): our
 * page and script from net/services/www/, and uPlot's minified script and
 * style sheet from the npm tarball tools/deps.sh unpacked into build/deps
 * (UPLOT_JS, UPLOT_CSS; never committed).  net/services/www.c serves them. */

/* sym_start .. sym_end: the bytes of file, NUL-terminated after the end
 * (not served: only for a reader's convenience in gdb) */
#define WWW_FILE(sym, file)   \
	.globl sym##_start;   \
	.globl sym##_end;     \
	.balign 16;           \
sym##_start:                  \
	.incbin file;         \
sym##_end:                    \
	.byte 0

	.section .rodata.www, "a"
WWW_FILE(www_index_html, "net/services/www/index.html")
WWW_FILE(www_dashboard_js, "net/services/www/dashboard.js")
WWW_FILE(www_uplot_js, UPLOT_JS)
WWW_FILE(www_uplot_css, UPLOT_CSS)

	.section .note.GNU-stack, "", @progbits
