/* What the lab grader's two halves share (tests/lab/grade_host.c: the
 * bring-up, the device's side and the stages; grade_checks.c: reporting,
 * the register log and the checks at each tail write). */
#ifndef TESTS_LAB_GRADE_LAB_H
#define TESTS_LAB_GRADE_LAB_H

#include "fake_e1000.h"
#include "net/core/skbuff.h"

#define R(off) fake.regs[(off) / 4]
#define GRADE_RING      64              /* E1000_RING_MIN: the smallest ring the driver takes */
#define GRADE_HOLD      8               /* received skbs the "stack" keeps a while */
#define GRADE_LOG       48              /* register accesses kept for the evidence */
#define GRADE_STAGE_SEC 4               /* a stage takes well under 1 s: longer is a hang */
#define FRAME_TYPE      0x88B5

extern const u8 nic_mac[6], peer_mac[6];
extern struct net_device *lab_dev;
extern struct e1000_adapter *lab_ad;    /* NULL outside a stage's up()..down() */
extern bool lab_failed;                 /* the current stage failed */
extern bool lab_hinted;                 /* a "start with" message was given */
extern unsigned int lab_xmit_tries, lab_rx_tries;
extern u32 lab_rx_first;                /* next_to_clean after bring-up */
extern unsigned int lab_icr_reads, lab_icr_writes;
extern unsigned int lab_nheld;          /* received skbs held (grade_rx) */

/* what the rx_handler saw: frames in order, intact */
struct lab_rx_state {
	u32 next, n, bad, dup_or_gap;
};
extern struct lab_rx_state lab_rx;

/* an explanation line; a failed expectation; the likely mistake (once per
 * stage, with the register log; true when printed now) */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool bug(const char *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* descriptor i of the TX/RX ring, and its state as an evidence line */
struct e1000_tx_desc *txd(u32 i);
struct e1000_rx_desc *rxd(u32 i);
void show_txd(u32 i);
void show_rxd(u32 i);
/* the test frames: seq at byte 14, a pattern of seq after it */
void make_frame(u8 *f, unsigned int len, u32 seq, const u8 *dst, const u8 *src);
bool frame_intact(const u8 *f, unsigned int len, u32 *seq);
/* the rx_handler (holds the last GRADE_HOLD skbs), and their release */
int grade_rx(struct net_device *d, struct sk_buff *skb, unsigned int flags);
void release_held(void);

#endif
