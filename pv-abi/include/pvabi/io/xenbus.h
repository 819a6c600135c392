/*
 * States of a split-driver end, kept in xenstore ("state" node of the
 * frontend and of the backend) to drive the connection handshake.
 * Mirrors Xen's public/io/xenbus.h (an enum there; constants here).
 */
#ifndef PVABI_IO_XENBUS_H
#define PVABI_IO_XENBUS_H

#define XenbusStateUnknown	 0
#define XenbusStateInitialising	 1
#define XenbusStateInitWait	 2 /* early setup done, waiting for peer */
#define XenbusStateInitialised	 3 /* waiting for the peer to connect */
#define XenbusStateConnected	 4
#define XenbusStateClosing	 5 /* shutting down (error or unplug) */
#define XenbusStateClosed	 6
#define XenbusStateReconfiguring 7
#define XenbusStateReconfigured	 8

#endif
