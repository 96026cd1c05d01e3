/* What the e1000 driver tests (test_e1000.c, test_e1000zc.c,
 * test_e1000_fault.c) share: the driver opened on a fresh fake NIC and its
 * teardown with the leak check, the interrupt line and the softirqs as the
 * kernel runs them, and the Check runner their main() calls. */
#ifndef TESTS_UNIT_E1000_FIXTURE_H
#define TESTS_UNIT_E1000_FIXTURE_H

#include <check.h>
#include "fake_e1000.h"
#include "drivers/net/netdevice.h"

/* the chips each test runs for: the loop index picks one */
#define E1000_FIXTURE_CHIPS 3
extern const struct e1000_chip *const e1000_fixture_chips[E1000_FIXTURE_CHIPS];
/* the MAC address in the fake's EEPROM */
extern const u8 e1000_fixture_mac[6];

/* a fresh fake of chip (e1000_fixture_chips[chip]) and a net_device for
 * it, registered, with these ring sizes, MSI-X or not, and rx_handler;
 * opened. Asserts each step. */
struct net_device *e1000_fixture_up(int chip, u32 rx_count, u32 tx_count, bool msix,
				    netdev_rx_handler_t rx_handler);

/* after netdev_stop(): unregister and free dev, run the frees deferred
 * to NET_TX, and assert nothing leaked (heap and DMA) */
void e1000_fixture_release(struct net_device *dev);

/* run softirqs as the idle loop's ksoftirqd does, until none is pending */
void e1000_fixture_drain_softirqs(void);

/* one hard interrupt on ad's line (host_irq_simulate: the hard IRQ in
 * interrupt context, the softirqs on its way out); returns e1000_intr's
 * answer, whether the interrupt was ours */
bool e1000_fixture_irq(struct e1000_adapter *ad);

/* interrupts until one finds no cause (an MSI/MSI-X vector claims empty
 * ones, counted in irqs_not_ours), then ksoftirqd for what the softirq
 * left; returns the frames polled (napi.rx_work) */
int e1000_fixture_irq_and_poll(struct e1000_adapter *ad);

/* main()'s body: run the suite name holding tc; returns the exit status
 * (1 if a test failed) */
int e1000_fixture_run(const char *name, TCase *tc);

#endif
