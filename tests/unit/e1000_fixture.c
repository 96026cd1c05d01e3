/* The e1000 driver tests' shared set-up (e1000_fixture.h). */
#include "e1000_fixture.h"
#include "host_stubs.h"
#include "kernel/softirq.h"
#include "net/core/dev.h"
#include "check_main.h"

const struct e1000_chip *const e1000_fixture_chips[E1000_FIXTURE_CHIPS] = {
	&e1000_chip_82540em, &e1000_chip_82574l, &e1000_chip_82576,
};
const u8 e1000_fixture_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct net_device *e1000_fixture_up(int chip, u32 rx_count, u32 tx_count, bool msix,
				    netdev_rx_handler_t rx_handler)
{
	const struct e1000_chip *c = e1000_fixture_chips[chip];
	struct net_device *dev;
	struct e1000_adapter *ad;

	fake_init(c, e1000_fixture_mac);
	ck_assert_int_eq(net_dev_init(), 0);
	dev = alloc_netdev(sizeof(struct e1000_adapter));
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(e1000_adapter_init(dev, c, (volatile u8 *)fake.regs, false), 0);
	ck_assert_int_eq(register_netdev(dev), 0);
	ad = netdev_priv(dev);
	ad->rx_count = rx_count;
	ad->tx_count = tx_count;
	ad->hw.msix = msix;
	dev->rx_handler = rx_handler;
	ck_assert_int_eq(netdev_open(dev), 0);
	return dev;
}

void e1000_fixture_release(struct net_device *dev)
{
	unregister_netdev(dev);
	free_netdev(dev);
	/* frees deferred to NET_TX (TX completions from hard IRQ) */
	e1000_fixture_drain_softirqs();
	skb_cache_drain();
	ck_assert_int_eq(fake_allocs, 0);
	ck_assert_int_eq(fake_dma_allocs, 0);
}

void e1000_fixture_drain_softirqs(void)
{
	while (ksoftirqd_run())
		;
}

/* what the last hard IRQ answered */
static struct {
	bool ours;
	bool had_cause;                 /* ours and not empty */
} irq;

static void irq_fn(void *ctx)
{
	struct e1000_adapter *ad = ctx;
	u64 empty = ad->sw.irqs_not_ours;

	irq.ours = e1000_intr(ad);
	irq.had_cause = irq.ours && ad->sw.irqs_not_ours == empty;
}

bool e1000_fixture_irq(struct e1000_adapter *ad)
{
	host_irq_simulate(irq_fn, ad);
	return irq.ours;
}

int e1000_fixture_irq_and_poll(struct e1000_adapter *ad)
{
	u64 before = ad->napi.rx_work;

	do
		e1000_fixture_irq(ad);
	while (irq.had_cause);
	e1000_fixture_drain_softirqs();
	return (int)(ad->napi.rx_work - before);
}

int e1000_fixture_run(const char *name, TCase *tc)
{
	Suite *s = suite_create(name);

	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
