/* errno-style codes; kernel functions return 0 or a negative one. */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define EPERM     1
#define ENOENT    2
#define EIO       5
#define ENXIO     6
#define E2BIG     7
#define EAGAIN   11
#define ENOMEM   12
#define EACCES   13
#define EFAULT   14
#define EBUSY    16
#define EEXIST   17
#define ENODEV   19
#define ENOTDIR  20
#define EISDIR   21
#define EINVAL   22
#define ENOSPC   28
#define ERANGE   34
#define ENAMETOOLONG 36
#define ENOSYS   38
#define ENODATA  61
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define ENETDOWN 100
#define ENOBUFS 105
#define ETIMEDOUT 110

/* name of an errno value ("EINVAL"), or "E?" */
const char *errno_name(int err);
/* what it means, in the words of C library strerror() ("No such file or
 * directory"), or "Unknown error" */
const char *errno_desc(int err);

#endif
