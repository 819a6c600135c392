/*
 * The control socket (protocol in pvctrl/proto.h) and the main loop.
 * Everything here runs on the main thread.
 */
#ifndef PVHV_CONTROL_H
#define PVHV_CONTROL_H

#include <pvhv/domain.h>

/* Binds $rundir/pvhv.sock. */
int control_init(const char *rundir, char *why, size_t whylen);
/* Serves until SIGTERM/SIGINT or a "quit" request; then destroys every
 * domain. */
void control_run(void);

/* Notifications from the domain code. */
void control_console_ready(struct domain *d);
void control_domain_shutdown(struct domain *d, uint32_t code,
			     enum dom_action act);
void control_domain_restarted(uint32_t old_domid, struct domain *nd);
/* A domain was built (create or restart): watchers get its description. */
void control_domain_created(struct domain *d);
void control_domain_gone(struct domain *d);
/* dom0's event-channel table (domid 0), NULL for other ids. */
struct evtchn_domain *control_dom0_evtchn(uint16_t domid);
/* Raise dom0's VIRQ_DOM_EXC (a domain shut down or died) / VIRQ_CON_RING
 * (console output arrived; Xen raises it for its console ring). */
void control_domain_exception(void);
void control_console_virq(void);

#endif
