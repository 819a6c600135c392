#!/usr/bin/env python3
"""Raw xenstore wire-protocol tests against a running pvstored.

  xsd_proto.py socket SOCKET            dom0 socket: every message type,
                                        malformed input, paths, watches,
                                        transactions, quotas
  xsd_proto.py rings SOCKET RINGDIR     guests over rings (pvstored
                                        --test-rings RINGDIR): perms,
                                        quotas, ring protocol abuse
  xsd_proto.py restart PVSTORED RUNDIR RINGDIR
                                        kill -9 pvstored under traffic
                                        from a guest ring and dom0, then
                                        check nothing acknowledged is lost
  xsd_proto.py scale SOCKET             512 idle clients do not slow a
                                        busy one
  xsd_proto.py call SOCKET TYPE ARG...  one request (args NUL-terminated);
                                        prints the reply, exits 1 on error

Expected replies are those of Xen 4.17's xenstored (checked side by side
with Debian's); deliberate differences are noted where they are tested.
Prints "ok <n> checks" or the failures, exits non-zero on failure.
"""
import mmap
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TS=6, TE=7, INTRODUCE=8, RELEASE=9, GDP=10, WRITE=11, MKDIR=12,
         RM=13, SET_PERMS=14, WATCH_EVENT=15, ERROR=16, IDI=17, RESUME=18,
         SET_TARGET=19, RESET_WATCHES=21, DIRPART=22, GET_FEATURE=23,
         SET_FEATURE=24, GET_QUOTA=25, SET_QUOTA=26)
N = {v: k for k, v in T.items()}
fails = []
checks = 0


def z(*a):
    return b"".join((x.encode() if isinstance(x, str) else x) + b"\0"
                    for x in a)


def check(name, got, want):
    global checks
    checks += 1
    if got != want:
        fails.append(f"{name}: got {got!r}, want {want!r}")


class Sock:
    """A dom0 client on the unix socket."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(path)
        self.buf = b""
        self.rid = 1
        self.events = []

    def send(self, t, payload=b"", tx=0):
        t = T[t] if isinstance(t, str) else t
        self.s.sendall(struct.pack("<IIII", t, self.rid, tx, len(payload))
                       + payload)
        self.rid += 1

    def recv(self, timeout=5):
        self.s.settimeout(timeout)
        while True:
            if len(self.buf) >= 16:
                t, r, tx, n = struct.unpack("<IIII", self.buf[:16])
                if len(self.buf) >= 16 + n:
                    p = self.buf[16:16 + n]
                    self.buf = self.buf[16 + n:]
                    return (N.get(t, t), r, tx, p)
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d

    def req(self, t, payload=b"", tx=0):
        """Reply payload; XS_ERROR replies as ('E', name)."""
        self.send(t, payload, tx)
        while True:
            m = self.recv()
            if m[0] == "WATCH_EVENT":
                self.events.append(m[3])
                continue
            if m[0] == "ERROR":
                return ("E", m[3].rstrip(b"\0").decode())
            return m[3]

    def event(self, timeout=2):
        if self.events:
            return self.events.pop(0)
        m = self.recv(timeout)
        assert m[0] == "WATCH_EVENT", m
        return m[3]

    def no_event(self, timeout=0.2):
        if self.events:
            return False
        try:
            self.recv(timeout)
            return False
        except socket.timeout:
            return True


class Ring:
    """Plays domain `domid` on pvstored --test-rings RINGDIR."""

    def __init__(self, ringdir, domid):
        self.domid, self.dir = domid, ringdir
        fd = os.open(f"{ringdir}/ring-{domid}", os.O_RDWR)
        self.m = mmap.mmap(fd, 4096)
        os.close(fd)
        self.fifo = -1
        self.rid = 1
        self.buf = b""
        self.events = []

    def u32(self, off, v=None):
        if v is None:
            return struct.unpack_from("<I", self.m, off)[0]
        struct.pack_into("<I", self.m, off, v & 0xffffffff)

    def kick(self):
        try:
            if self.fifo < 0:
                self.fifo = os.open(self.dir + "/evtchn",
                                    os.O_WRONLY | os.O_NONBLOCK)
            os.write(self.fifo, struct.pack("<I", self.domid))
        except OSError:
            if self.fifo >= 0:
                os.close(self.fifo)
            self.fifo = -1

    def write_raw(self, data, timeout=5):
        end = time.time() + timeout
        while data:
            cons, prod = self.u32(2048), self.u32(2052)
            space = 1024 - (prod - cons)
            if space <= 0 or space > 1024:
                if time.time() > end:
                    return False  # the daemon stopped reading
                self.kick()
                time.sleep(0.002)
                continue
            n = min(space, len(data), 1024 - (prod & 1023))
            self.m[prod & 1023:(prod & 1023) + n] = data[:n]
            self.u32(2052, prod + n)
            data = data[n:]
            self.kick()
        return True

    def send(self, t, payload=b"", tx=0):
        t = T[t] if isinstance(t, str) else t
        self.write_raw(struct.pack("<IIII", t, self.rid, tx, len(payload))
                       + payload)
        self.rid += 1

    def recv(self, timeout=5):
        end = time.time() + timeout
        while True:
            cons, prod = self.u32(2056), self.u32(2060)
            while cons != prod:
                self.buf += bytes([self.m[1024 + (cons & 1023)]])
                cons += 1
            self.u32(2056, cons)
            if len(self.buf) >= 16:
                t, r, tx, n = struct.unpack("<IIII", self.buf[:16])
                if len(self.buf) >= 16 + n:
                    p = self.buf[16:16 + n]
                    self.buf = self.buf[16 + n:]
                    return (N.get(t, t), r, tx, p)
            if time.time() > end:
                return None
            self.kick()
            time.sleep(0.002)

    def req(self, t, payload=b"", tx=0):
        self.send(t, payload, tx)
        rid = self.rid - 1
        while True:
            m = self.recv()
            if m is None:
                return ("E", "timeout")
            if m[0] == "WATCH_EVENT":
                self.events.append(m[3])
                continue
            if m[1] != rid:
                continue  # a reply repeated after a daemon restart
            if m[0] == "ERROR":
                return ("E", m[3].rstrip(b"\0").decode())
            return m[3]

    def event(self, timeout=2):
        if self.events:
            return self.events.pop(0)
        m = self.recv(timeout)
        return m[3] if m and m[0] == "WATCH_EVENT" else m


OK = b"OK\0"
E = lambda name: ("E", name)  # noqa: E731


# ------------------------------------------------------------ dom0 socket

def socket_basics(path):
    c = Sock(path)
    c.req("RM", z("/t"))
    check("write", c.req("WRITE", b"/t/a\0v1"), OK)
    c.req("WRITE", b"/t/b\0v2")
    c.req("WRITE", b"/t/0\0")
    check("read", c.req("READ", z("/t/a")), b"v1")
    check("read dir", c.req("READ", z("/t")), b"")
    check("directory in creation order", c.req("DIRECTORY", z("/t")),
          b"a\0b\x000\0")
    r = c.req("DIRPART", z("/t", "0"))
    check("dirpart whole", r.split(b"\0", 1)[1], b"a\0b\x000\0\0")
    r = c.req("DIRPART", z("/t", "2"))
    check("dirpart from byte 2", r.split(b"\0", 1)[1], b"b\x000\0\0")
    r = c.req("DIRPART", z("/t", "99"))
    check("dirpart past end", r.split(b"\0", 1)[1], b"\0")
    check("dirpart one arg", c.req("DIRPART", z("/t")), E("EINVAL"))
    check("read missing", c.req("READ", z("/nope")), E("ENOENT"))
    check("relative from dom0", c.req("READ", z("t")), E("ENOENT"))
    for bad in ["", "/t/", "//t", "/t a", "/t/a\n", "@x"]:
        check(f"bad path {bad!r}", c.req("READ", z(bad)), E("EINVAL"))
    check("no NUL", c.req("READ", b"/t"), E("EINVAL"))  # Xen: ENOENT
    check("two args", c.req("READ", z("/t/a", "x")), E("EINVAL"))
    check("empty read", c.req("READ", b""), E("EINVAL"))
    check("path-max", c.req("WRITE", b"/" + b"a" * 2048 + b"\0x"),
          E("EINVAL"))
    check("path-max ok", c.req("WRITE", b"/" + b"a" * 2047 + b"\0x"), OK)
    c.req("RM", z("/" + "a" * 2047))
    check("write without value", c.req("WRITE", b"/t/a"), E("EINVAL"))
    check("binary value", c.req("WRITE", b"/t/bin\0a\0b\0"), OK)
    check("binary read", c.req("READ", z("/t/bin")), b"a\0b\0")
    check("mkdir existing", c.req("MKDIR", z("/t/a")), OK)
    check("mkdir deep", c.req("MKDIR", z("/t/new/deep")), OK)
    check("mkdir keeps value", c.req("READ", z("/t/a")), b"v1")
    check("rm missing, parent there", c.req("RM", z("/t/x")), OK)
    check("rm missing parent", c.req("RM", z("/t/x/y")), E("ENOENT"))
    check("rm root", c.req("RM", z("/")), E("EINVAL"))
    check("rm subtree", c.req("RM", z("/t/new")), OK)
    check("subtree gone", c.req("READ", z("/t/new/deep")), E("ENOENT"))
    check("gdp", c.req("GDP", z("7")), b"/local/domain/7\0")
    check("gdp atoi", c.req("GDP", z("abc")), b"/local/domain/0\0")
    check("gdp empty", c.req("GDP", b""), E("EINVAL"))
    check("idi dom0", c.req("IDI", z("0")), b"T\0")
    check("idi unknown", c.req("IDI", z("3")), b"F\0")
    for t in (99, 20, "ERROR", "WATCH_EVENT", 1000000):
        check(f"type {t}", c.req(t, b""), E("ENOSYS"))
    check("release dom0", c.req("RELEASE", z("0")), E("EINVAL"))
    check("release unknown", c.req("RELEASE", z("5")), E("ENOENT"))
    check("resume unknown", c.req("RESUME", z("5")), E("ENOENT"))
    check("set_target unknown", c.req("SET_TARGET", z("5", "6")),
          E("ENOENT"))
    check("introduce short", c.req("INTRODUCE", z("5", "0")), E("EINVAL"))
    check("introduce port 0", c.req("INTRODUCE", z("5", "0", "0")),
          E("EINVAL"))
    check("reset watches", c.req("RESET_WATCHES", b""), OK)
    check("get_feature", c.req("GET_FEATURE", b""), b"0\0")
    check("set_feature bad", c.req("SET_FEATURE", z("5", "1")), E("EINVAL"))
    check("big reply E2BIG", c.req("WRITE", b"/t/big\0" + b"x" * 4000), OK)
    c.req("RM", z("/t/big"))


def socket_perms(path):
    c = Sock(path)
    c.req("WRITE", b"/p\0")
    check("set_perms", c.req("SET_PERMS", z("/p", "n0", "r5")), OK)
    check("get_perms", c.req("GET_PERMS", z("/p")), z("n0", "r5"))
    check("set_perms letters", c.req("SET_PERMS", z("/p", "b7", "w8")), OK)
    check("get_perms 2", c.req("GET_PERMS", z("/p")), z("b7", "w8"))
    check("strtol base 0", c.req("SET_PERMS", z("/p", "r0x10", "w010")), OK)
    check("get_perms 3", c.req("GET_PERMS", z("/p")), z("r16", "w8"))
    for bad in (z("/p", "x0"), z("/p"), z("/p", "n"), z("/p", "n5a")):
        check(f"bad perms {bad!r}", c.req("SET_PERMS", bad), E("EINVAL"))
    check("owner must exist", c.req("SET_PERMS", z("/p", "n99999")),
          E("ENOENT"))
    check("perms of missing", c.req("SET_PERMS", z("/nope", "n0")),
          E("ENOENT"))
    check("dom0: no perms quota",
          c.req("SET_PERMS", z("/p", "n0", *[f"r{i}" for i in range(1, 9)])),
          OK)
    c.req("SET_PERMS", z("/p", "n3"))
    c.req("WRITE", b"/p/kid\0x")
    check("child inherits", c.req("GET_PERMS", z("/p/kid")), z("n3"))
    check("special perms", c.req("SET_PERMS", z("@releaseDomain", "n0")), OK)
    check("other special", c.req("SET_PERMS", z("@foo", "n0")), E("EINVAL"))


def socket_watches(path):
    c, d = Sock(path), Sock(path)
    c.req("RM", z("/w"))
    check("watch", c.req("WATCH", z("/w", "tok")), OK)
    check("initial event", c.event(), z("/w", "tok"))
    check("duplicate watch", c.req("WATCH", z("/w", "tok")), E("EEXIST"))
    check("watch 1 arg", c.req("WATCH", z("/w")), E("EINVAL"))
    check("watch 3 args", c.req("WATCH", z("/w", "t", "x")), E("EINVAL"))
    check("watch rel", c.req("WATCH", z("w/rel", "r")), OK)
    check("initial rel event", c.event(), z("w/rel", "r"))
    check("watch deep", c.req("WATCH", z("/w/a/deep", "deep")), OK)
    c.event()
    d.req("WRITE", b"/w/a/b\0x")
    check("subtree event", c.event(), z("/w/a/b", "tok"))
    check("no other", c.no_event(), True)
    d.req("WRITE", b"/local/domain/0/w/rel/x\0x")
    check("relative event", c.event(), z("w/rel/x", "r"))
    d.req("WRITE", b"/w/a/deep\0x")
    check("order: watches as set 1", c.event(), z("/w/a/deep", "tok"))
    check("order: watches as set 2", c.event(), z("/w/a/deep", "deep"))
    d.req("RM", z("/w/a"))
    # Xen: removed children fire only watches set exactly on them.
    got = [c.event(), c.event()]
    check("rm events", got, [z("/w/a/deep", "deep"), z("/w/a", "tok")])

    check("rm: no more", c.no_event(), True)
    d.req("MKDIR", z("/w"))
    check("mkdir existing: no event", c.no_event(), True)
    check("unwatch missing", c.req("UNWATCH", z("/w", "nope")), E("ENOENT"))
    check("unwatch", c.req("UNWATCH", z("/w", "tok")), OK)
    d.req("WRITE", b"/w/x\0y")
    check("unwatched: no event", c.no_event(), True)
    check("watch special", c.req("WATCH", z("@introduceDomain", "i")), OK)
    check("special initial", c.event(), z("@introduceDomain", "i"))
    check("reset", c.req("RESET_WATCHES", b""), OK)
    d.req("WRITE", b"/local/domain/0/w/rel/y\0y")
    check("reset: no event", c.no_event(), True)
    # A client's own write: the event comes before the reply (Xen).
    c.req("WATCH", z("/w2", "own"))
    c.event()
    c.send("WRITE", b"/w2\0x")
    check("event before reply", c.recv()[0], "WATCH_EVENT")
    check("then the reply", c.recv()[3], OK)


def socket_transactions(path):
    c, d = Sock(path), Sock(path)
    c.req("RM", z("/tx"))
    c.req("WRITE", b"/tx/a\0")
    c.req("WRITE", b"/tx/b\0")
    t = int(c.req("TS", z(""))[:-1])
    check("read in tx", c.req("READ", z("/tx/a"), t), b"")
    d.req("WRITE", b"/tx/b\0changed")
    check("write in tx", c.req("WRITE", b"/tx/c\0new", t), OK)
    check("isolated", c.req("READ", z("/tx/c")), E("ENOENT"))
    check("dir in tx", c.req("DIRECTORY", z("/tx"), t), b"a\0b\0c\0")
    check("commit (b untouched)", c.req("TE", z("T"), t), OK)
    check("committed", c.req("READ", z("/tx/c")), b"new")
    t = int(c.req("TS", z(""))[:-1])
    c.req("READ", z("/tx/a"), t)
    d.req("WRITE", b"/tx/a\0changed")
    c.req("WRITE", b"/tx/c\0new2", t)
    check("conflict", c.req("TE", z("T"), t), E("EAGAIN"))
    check("conflict: nothing applied", c.req("READ", z("/tx/c")), b"new")
    t = int(c.req("TS", z(""))[:-1])
    c.req("WRITE", b"/tx/n1\0x", t)
    d.req("WRITE", b"/tx/n2\0x")
    check("sibling created: parent conflict", c.req("TE", z("T"), t),
          E("EAGAIN"))
    t = int(c.req("TS", z(""))[:-1])
    c.req("READ", z("/tx/none"), t)
    d.req("WRITE", b"/tx/none\0x")
    check("read-absent conflict", c.req("TE", z("T"), t), E("EAGAIN"))
    t = int(c.req("TS", z(""))[:-1])
    check("nested", c.req("TS", z(""), t), E("EBUSY"))
    check("bad end arg", c.req("TE", z("X"), t), E("EINVAL"))
    check("unknown tx", c.req("TE", z("T"), 999), E("ENOENT"))
    check("abort", c.req("TE", z("F"), t), OK)
    check("ended", c.req("TE", z("F"), t), E("ENOENT"))
    check("unknown tx read", c.req("READ", z("/tx/a"), 12345), E("ENOENT"))
    check("watch ignores tx", c.req("WATCH", z("/tx", "k"), 12345), OK)
    check("end without tx", c.req("TE", z("T")), E("ENOENT"))
    c.event()
    t = int(c.req("TS", z(""))[:-1])
    c.req("RM", z("/tx"), t)
    check("rm in tx", c.req("READ", z("/tx/a"), t), E("ENOENT"))
    check("not yet fired", c.no_event(), True)
    check("commit rm", c.req("TE", z("T"), t), OK)
    check("fired at commit", c.event() is not None, True)
    check("gone", c.req("READ", z("/tx/a")), E("ENOENT"))


def socket_quotas(path):
    c = Sock(path)
    names = c.req("GET_QUOTA", b"").rstrip(b"\0").split(b" ")
    check("quota names", names[:4], [b"nodes", b"watches", b"transactions",
                                     b"outstanding"])
    check("default nodes", c.req("GET_QUOTA", z("nodes")), b"1000\0")
    check("default node-size", c.req("GET_QUOTA", z("node-size")),
          b"2048\0")
    check("default watches", c.req("GET_QUOTA", z("watches")), b"128\0")
    check("default transactions", c.req("GET_QUOTA", z("transactions")),
          b"10\0")
    check("default outstanding", c.req("GET_QUOTA", z("outstanding")),
          b"20\0")
    check("unknown quota", c.req("GET_QUOTA", z("bogus")), E("EINVAL"))
    check("unknown domain", c.req("GET_QUOTA", z("77", "nodes")),
          E("ENOENT"))
    check("set quota", c.req("SET_QUOTA", z("nodes", "1001")), OK)
    check("got it", c.req("GET_QUOTA", z("nodes")), b"1001\0")
    r = c.req("CONTROL", z("quota"))
    check("control quota", b"nodes            :     1001" in r, True)
    check("control set", c.req("CONTROL", z("quota", "set", "nodes",
                                            "1000")), OK)
    check("control set 0", c.req("CONTROL", z("quota", "set", "nodes",
                                               "0")), E("EINVAL"))
    check("control dom0", c.req("CONTROL", z("quota", "0"))[:10],
          b"Domain 0:\n")
    check("control help", b"quota" in c.req("CONTROL", z("help")), True)
    check("control check", c.req("CONTROL", z("check")), OK)
    check("control unknown", c.req("CONTROL", z("bogus")), E("EINVAL"))
    check("control empty", c.req("CONTROL", b""), E("EINVAL"))


def socket_malformed(path):
    x = Sock(path)
    x.s.sendall(struct.pack("<IIII", 2, 9, 0, 4097))
    try:
        m = x.recv(2)
        check("oversize: told", m[0] == "ERROR" and m[3] == b"E2BIG\0", True)
        x.recv(2)
        check("oversize: closed", False, True)
    except (EOFError, ConnectionResetError):
        check("oversize: closed", True, True)
    x = Sock(path)
    x.s.sendall(struct.pack("<IIII", 2, 9, 0, 4096) + b"a" * 4096)
    check("4096 bytes accepted", x.recv()[3], b"EINVAL\0")
    x = Sock(path)
    x.s.sendall(struct.pack("<IIII", 2, 9, 0, 10) + b"/t")
    x.s.close()  # truncated
    x = Sock(path)
    x.s.sendall(b"\x01\x02\x03")
    x.s.close()  # truncated header
    x = Sock(path)  # byte by byte
    for b in b"".join(struct.pack("<IIII", 2, i, 0, 6) + b"/tool\0"
                      for i in range(10)):
        x.s.send(bytes([b]))
    check("byte by byte", [x.recv()[1] for _ in range(10)], list(range(10)))
    x = Sock(path)  # many requests in one write
    x.s.sendall(b"".join(struct.pack("<IIII", 2, i, 0, 6) + b"/tool\0"
                         for i in range(300)))
    got = [x.recv()[1] for _ in range(300)]
    check("pipelined", got, list(range(300)))
    y = Sock(path)
    check("still serving", y.req("READ", z("/tool")), b"")


# ------------------------------------------------------------------ rings

def rings(path, ringdir):
    c = Sock(path)
    c.req("WRITE", b"/local/domain/5\0")
    c.req("SET_PERMS", z("/local/domain/5", "n0", "r5"))
    c.req("MKDIR", z("/local/domain/5/data"))
    c.req("SET_PERMS", z("/local/domain/5/data", "n5"))
    check("introduce", c.req("INTRODUCE", z("5", "0", "1")), OK)
    check("introduced", c.req("IDI", z("5")), b"T\0")
    g = Ring(ringdir, 5)
    check("features", g.u32(2064) & 3, 3)
    check("home readable", g.req("READ", z("/local/domain/5")), b"")
    check("home not writable", g.req("WRITE", b"x\0v"), E("EACCES"))
    check("absent, parent readable", g.req("READ", z("x")), E("ENOENT"))
    check("create in own dir", g.req("WRITE", b"data/a\0v"), OK)
    check("owns it", g.req("GET_PERMS", z("data/a")), z("n5"))
    check("deep create", g.req("WRITE", b"data/b/c/d\0v"), OK)
    check("perms quota", g.req("SET_PERMS", z("data/a", "n5", "r0", "r1",
                                              "r2", "r3", "r4")),
          E("ENOSPC"))
    check("perms ok", g.req("SET_PERMS", z("data/a", "n5", "r0", "r1",
                                           "r2", "r3")), OK)
    check("no owner change", g.req("SET_PERMS", z("data/a", "n6")),
          E("EPERM"))
    check("node-size over", g.req("WRITE", b"data/big\0" + b"x" * 2016),
          E("ENOSPC"))
    check("node-size max", g.req("WRITE", b"data/big\0" + b"x" * 2015), OK)
    c.req("SET_PERMS", z("/local/domain/5/data/b", "n0", "r5"))
    check("child readable", g.req("READ", z("data/b/c")), b"")
    check("rm needs write", g.req("RM", z("data/b")), E("EACCES"))
    check("dom0 root", g.req("READ", z("/tool")), E("EACCES"))
    check("no listing /", g.req("DIRECTORY", z("/")), E("EACCES"))
    check("hidden absent", g.req("READ", z("/nonexist/x")), E("EACCES"))
    c.req("WRITE", b"/other\0secret")
    c.req("SET_PERMS", z("/other", "n3"))
    check("other's node", g.req("READ", z("/other")), E("EACCES"))
    check("other's child", g.req("WRITE", b"/other/x\0y"), E("EACCES"))
    for t in ("INTRODUCE", "RELEASE", "IDI", "RESUME", "SET_TARGET",
              "CONTROL", "SET_QUOTA", "GET_QUOTA", "SET_FEATURE"):
        check(f"guest {t}", g.req(t, z("5", "0", "1")), E("EACCES"))
    check("guest gdp", g.req("GDP", z("5")), b"/local/domain/5\0")
    # watches: relative paths, permissions, special events
    check("watch rel", g.req("WATCH", z("data", "rel")), OK)
    check("initial rel", g.event(), z("data", "rel"))
    g.req("WATCH", z("/other", "o"))
    g.event()
    c.req("WRITE", b"/local/domain/5/data/a\0dom0")
    check("rel event", g.event(), z("data/a", "rel"))
    c.req("WRITE", b"/other\0secret2")
    check("unreadable: no event", g.event(0.3), None)
    g.req("WATCH", z("@releaseDomain", "r"))
    g.event()
    c.req("INTRODUCE", z("6", "0", "1"))
    c.req("RELEASE", z("6"))
    check("special needs perms", g.event(0.3), None)
    c.req("SET_PERMS", z("@releaseDomain", "n0", "r5"))
    c.req("INTRODUCE", z("6", "0", "1"))
    c.req("RELEASE", z("6"))
    check("special with perms", g.event(), z("@releaseDomain", "r"))
    g.req("RESET_WATCHES", b"")
    # quotas: only the domain over quota is refused
    c.req("SET_QUOTA", z("5", "transactions", "2"))
    got = [g.req("TS", z("")) for _ in range(4)]
    check("transaction quota", got[3], E("ENOSPC"))
    for t in got[:3]:
        g.req("TE", z("F"), int(t[:-1]))
    c.req("SET_QUOTA", z("5", "watches", "3"))
    got = [g.req("WATCH", z(f"data/w{i}", "q")) for i in range(5)]
    check("watch quota", got[4], E("E2BIG"))
    g.req("RESET_WATCHES", b"")
    g.events.clear()
    c.req("SET_QUOTA", z("5", "nodes", "12"))
    got = [g.req("WRITE", b"data/n%d\0x" % i) for i in range(12)]
    check("node quota", E("ENOSPC") in got, True)
    check("node quota: dom0 unaffected",
          c.req("WRITE", b"/dom0/after-quota\0x"), OK)
    check("node quota: per domain", c.req("GET_QUOTA", z("5", "nodes")),
          b"12\0")
    check("quota report", b"Domain 5:" in c.req("CONTROL", z("quota", "5")),
          True)
    # a second domain is not hurt by the first one's quota
    c.req("WRITE", b"/local/domain/7\0")
    c.req("SET_PERMS", z("/local/domain/7", "n7"))
    c.req("INTRODUCE", z("7", "0", "1"))
    g7 = Ring(ringdir, 7)
    check("other domain fine", g7.req("WRITE", b"x\0y"), OK)
    check("cannot read d5", g7.req("READ", z("/local/domain/5/data/a")),
          E("EACCES"))
    # long messages in pieces, both ways
    c.req("SET_QUOTA", z("7", "node-size", "8192"))
    big = bytes(range(33, 123)) * 40
    check("long write", g7.req("WRITE", b"long\0" + big), OK)
    check("long read", g7.req("READ", z("long")), big)
    # release: owned nodes go, @releaseDomain fires
    c.req("WATCH", z("@releaseDomain", "rel"))
    c.event()
    check("release", c.req("RELEASE", z("5")), OK)
    check("release event", c.event(), z("@releaseDomain", "rel"))
    check("owned nodes gone", c.req("READ", z("/local/domain/5/data")),
          E("ENOENT"))
    check("dom0's stay", c.req("READ", z("/local/domain/5")), b"")
    check("not introduced", c.req("IDI", z("5")), b"F\0")
    # ring abuse: the guest breaks only itself
    c.req("INTRODUCE", z("5", "0", "1"))
    # Its ACL entry on /local/domain/5 predates the new domain 5: stale
    # (Xen), so the toolstack grants it again.
    c.req("SET_PERMS", z("/local/domain/5", "n0", "r5"))

    g = Ring(ringdir, 5)
    g.send("READ", b"x" * 5000)
    for _ in range(50):
        if g.u32(2072):
            break
        time.sleep(0.01)

    check("oversize: ring error", g.u32(2072), 3)
    check("others unaffected", g7.req("READ", z("long")), big)
    g.u32(2068, 1)  # XENSTORE_RECONNECT
    g.kick()
    for _ in range(100):
        if g.u32(2068) == 0:
            break
        time.sleep(0.01)
    check("reconnected", (g.u32(2068), g.u32(2072), g.u32(2048),
                          g.u32(2052)), (0, 0, 0, 0))
    g.buf = b""
    check("works after reconnect", g.req("READ", z("/local/domain/5")), b"")
    g.u32(2052, g.u32(2048) + 5000)  # impossible producer index
    g.kick()
    time.sleep(0.3)
    check("bad index: ring error", g.u32(2072), 2)
    check("still serving", c.req("READ", z("/tool")), b"")


# ---------------------------------------------------------------- restart

def restart(pvstored, rundir, ringdir):
    def start():
        subprocess.run([pvstored, "--rundir", rundir, "--daemon",
                        "--test-rings", ringdir], check=True)

    def pid():
        return int(open(rundir + "/pvstored.pid").read())

    def dom0():
        for _ in range(200):
            try:
                return Sock(rundir + "/socket")
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("pvstored does not come back")

    start()
    c = dom0()
    c.req("WRITE", b"/local/domain/5\0")
    c.req("SET_PERMS", z("/local/domain/5", "n0", "r5"))
    c.req("MKDIR", z("/local/domain/5/data"))
    c.req("SET_PERMS", z("/local/domain/5/data", "n5"))
    c.req("INTRODUCE", z("5", "0", "1"))
    c.req("WRITE", b"/perm\0x")
    c.req("SET_PERMS", z("/perm", "n0", "r5"))
    g = Ring(ringdir, 5)
    check("guest watch", g.req("WATCH", z("data/watched", "w")), OK)
    state = {"stop": False, "acked": []}

    def writer():
        cc = dom0()
        j = 0
        while not state["stop"]:
            try:
                if cc.req("WRITE", b"/dom0/d%d\0%d" % (j, j)) == OK:
                    state["acked"].append(j)
                j += 1
                time.sleep(0.001)
            except (OSError, EOFError):
                time.sleep(0.02)
                cc = dom0()

    def killer():
        for _ in range(3):
            time.sleep(0.3)
            p = pid()
            os.kill(p, signal.SIGKILL)
            while os.path.exists(f"/proc/{p}"):
                time.sleep(0.005)
            start()

    th = [threading.Thread(target=writer), threading.Thread(target=killer)]
    for t in th:
        t.start()
    i = 0
    try:
        while th[1].is_alive() or i < 50:
            k = i % 300  # the guest's node quota is 1000
            p = b"data/k%d/%d" % (k // 40, k)
            r = g.req("WRITE", p + b"\0%d" % i)
            if r != OK:
                check(f"guest write {i}", r, OK)
                break
            r = g.req("READ", p + b"\0")
            if r != b"%d" % i:
                check(f"guest read {i}", r, b"%d" % i)
                break
            i += 1
    finally:
        state["stop"] = True
        for t in th:
            t.join()
    c = dom0()
    last = {k % 300: k for k in range(i)}
    lost = [k for k, v in last.items() if c.req(
        "READ", b"/local/domain/5/data/k%d/%d\0" % (k // 40, k)) != b"%d" % v]

    check("guest writes kept", lost, [])
    lost = [j for j in state["acked"]
            if c.req("READ", b"/dom0/d%d\0" % j) != b"%d" % j]
    check(f"acknowledged dom0 writes kept ({len(state['acked'])})", lost, [])
    check("perms kept", c.req("GET_PERMS", z("/perm")), z("n0", "r5"))
    check("domain kept", c.req("IDI", z("5")), b"T\0")
    c.req("WRITE", b"/local/domain/5/data/watched\0now")
    got = False
    for _ in range(20):
        e = g.event(0.3)
        if e == z("data/watched", "w"):
            got = True
            break
    check("guest watch kept", got, True)
    os.kill(pid(), signal.SIGTERM)
    print(f"restart: {i} guest requests, {len(state['acked'])} dom0 writes "
          "across 3 kills")


# ------------------------------------------------------------------ scale

def scale(path):
    def rate(c, n=2000):
        t0 = time.perf_counter()
        for i in range(n):
            c.req("READ", z("/tool"))
        return n / (time.perf_counter() - t0)

    busy = Sock(path)
    rate(busy, 200)
    one = rate(busy)
    idle = [Sock(path) for _ in range(512)]
    for s in idle[::64]:
        s.req("WATCH", z("/idle", "x"))
    many = rate(busy)
    print(f"scale: {one:.0f} reads/s alone, {many:.0f} with 512 idle "
          "clients")
    check("512 idle clients cost little", many > one * 0.5, True)
    for s in idle:
        s.s.close()


def main():
    what = sys.argv[1]
    if what == "socket":
        for f in (socket_basics, socket_perms, socket_watches,
                  socket_transactions, socket_quotas, socket_malformed):
            f(sys.argv[2])
    elif what == "rings":
        rings(sys.argv[2], sys.argv[3])
    elif what == "restart":
        restart(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what == "scale":
        scale(sys.argv[2])
    elif what == "call":
        r = Sock(sys.argv[2]).req(sys.argv[3], z(*sys.argv[4:]))
        if isinstance(r, tuple):
            sys.exit(f"{sys.argv[3]}: {r[1]}")
        print(r.rstrip(b"\0").decode(errors="replace"))
        return

    else:
        sys.exit(__doc__)
    for f in fails:
        print("FAIL", f)
    print(f"{what}: {checks - len(fails)}/{checks} checks ok")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
