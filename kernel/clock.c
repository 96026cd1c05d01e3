/* Placeholder clock until calibration lands: no time yet. */
#include "kernel/time.h"
#include "kernel/x86.h"

u64 ktime_get_ns(void) { return 0; }
u64 tsc_hz(void) { return 0; }
u64 tsc_to_ns(u64 delta) { (void)delta; return 0; }
void udelay(u64 us) { while (us--) io_delay(); }
void mdelay(u64 ms) { udelay(ms * 1000); }
