/* The dashboard's static files: the page (/), its script, and uPlot's
 * script and style sheet, with their Content-Type. */
#include "net/services/www.h"
#include <string.h>

extern const u8 www_index_html_start[], www_index_html_end[];
extern const u8 www_dashboard_js_start[], www_dashboard_js_end[];
extern const u8 www_uplot_js_start[], www_uplot_js_end[];
extern const u8 www_uplot_css_start[], www_uplot_css_end[];

static const struct www_file files[] = {
	{ "/", "text/html; charset=utf-8", www_index_html_start, www_index_html_end },
	{ "/dashboard.js", "text/javascript; charset=utf-8", www_dashboard_js_start,
	  www_dashboard_js_end },
	{ "/uplot.min.js", "text/javascript; charset=utf-8", www_uplot_js_start,
	  www_uplot_js_end },
	{ "/uplot.min.css", "text/css; charset=utf-8", www_uplot_css_start, www_uplot_css_end },
};

const struct www_file *www_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (!strcmp(path, files[i].path))
			return &files[i];
	return NULL;
}
