/* cat and ls over the views (fs/view.h). */
#include "kernel/shell/shell.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/mm.h"

static int cmd_cat(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return shell_error("cat", "usage: cat PATH... (try ls /proc)");
	for (int i = 1; i < argc; i++) {
		char *text;
		size_t len;
		int rc = view_read(argv[i], &text, &len);

		if (rc) {
			status = shell_error("cat", "%s: %s", argv[i], errno_desc(rc));
			continue;
		}
		shell_write(text, len);
		kfree(text);
	}
	return status;
}
SHELL_CMD_ARGS("cat", cmd_cat, "print view files: cat /proc/interrupts", SHELL_ARGS_PATHS);

static int ls_entry(const char *name, bool is_dir, void *ctx)
{
	(void)ctx;
	shell_printf("%s%s\n", name, is_dir ? "/" : "");
	return 0;
}

static int cmd_ls(int argc, char **argv)
{
	int status = 0;

	if (argc > 2) {
		/* several directories: a heading for each, as ls does */
		for (int i = 1; i < argc; i++) {
			int rc;

			shell_printf("%s%s:\n", i > 1 ? "\n" : "", argv[i]);
			rc = view_list_dir(argv[i], ls_entry, NULL);
			if (rc == -ENOTDIR)
				shell_printf("%s\n", argv[i]);
			else if (rc)
				status = shell_error("ls", "cannot access '%s': %s", argv[i],
						     errno_desc(rc));
		}
		return status;
	}
	{
		const char *path = argc == 2 ? argv[1] : "/";
		int rc = view_list_dir(path, ls_entry, NULL);

		if (rc == -ENOTDIR)
			shell_printf("%s\n", path);     /* a file lists as itself */
		else if (rc)
			return shell_error("ls", "cannot access '%s': %s", path, errno_desc(rc));
	}
	return 0;
}
SHELL_CMD_ARGS("ls", cmd_ls, "list a view directory (one entry a line, dirs end in /): ls /proc",
	       SHELL_ARGS_PATHS);
