kernel-srcs += boot/header.S boot/entry.S
