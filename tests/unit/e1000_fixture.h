/* The set-up shared by the e1000 driver tests (test_e1000.c,
 * test_e1000zc.c): the driver opened on a fresh fake NIC, and its
 * teardown with the leak check. */
#ifndef TESTS_UNIT_E1000_FIXTURE_H
#define TESTS_UNIT_E1000_FIXTURE_H

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

#endif
