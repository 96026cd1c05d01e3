/* The application's files: /tmp (memory files), /dev/urandom, /dev/null
 * (kernel/app/tmpfs.c). */
#ifndef KERNEL_APP_TMPFS_H
#define KERNEL_APP_TMPFS_H

/* openat(2) (open is openat with AT_FDCWD): a descriptor or -errno */
long app_sys_openat(int dirfd, unsigned long upath, int flags, int mode);
/* unlinkat(2) (unlink is unlinkat with AT_FDCWD, flags 0): 0 or -errno */
long app_sys_unlinkat(int dirfd, unsigned long upath, int flags);
/* a user page mapping phys (a memory file's page) went away (kernel/app/
 * uvm.c, under its lock) */
void tmpfs_unmap_frame(unsigned long phys);

#endif
