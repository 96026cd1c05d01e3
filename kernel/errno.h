/* errno-style codes; kernel functions return 0 or a negative one. */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define EPERM     1
#define ENOENT    2
#define EIO       5
#define E2BIG     7
#define ENOMEM   12
#define EFAULT   14
#define EBUSY    16
#define EEXIST   17
#define ENODEV   19
#define EINVAL   22
#define ENOSPC   28
#define ERANGE   34
#define ENOSYS   38
#define ENODATA  61
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define ENETDOWN 100
#define ENOBUFS 105
#define ETIMEDOUT 110

/* name of an errno value ("EINVAL"), or "E?" */
const char *errno_name(int err);

#endif
