#!/usr/bin/env python3
"""Abuses pvhv's control socket; every bad request must get an error reply
(or the connection closed) and pvhv must keep answering."""
import json
import os
import socket
import struct
import sys

MAGIC, VERSION = 0x54435650, 1
REQ, REPLY = 1, 2
path = sys.argv[1]
fails = []


def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    return s


def packet(payload, magic=MAGIC, version=VERSION, kind=REQ, rid=7, length=None):
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    return struct.pack("<IHHII", magic, version, kind, rid, n) + payload


def reply(s):
    data = s.recv(70000)
    if not data:
        return None
    magic, version, kind, rid, n = struct.unpack("<IHHII", data[:16])
    assert magic == MAGIC and version == VERSION and kind == REPLY, data[:16]
    return json.loads(data[16:16 + n])


def expect_error(name, raw, text=None, closed_ok=False):
    s = conn()
    try:
        s.send(raw)
        r = reply(s)
    except (ConnectionResetError, socket.timeout, BrokenPipeError) as e:
        r = None if closed_ok else e
    if r is None and closed_ok:
        return
    if not isinstance(r, dict) or r.get("ok") is not False:
        fails.append(f"{name}: got {r!r}")
    elif text and text not in r.get("error", ""):
        fails.append(f"{name}: error {r.get('error')!r} lacks {text!r}")


def alive():
    s = conn()
    s.send(packet('{"op":"hello"}'))
    r = reply(s)
    return r and r.get("ok") and r.get("version") == 1


expect_error("bad magic", packet('{"op":"list"}', magic=0x1234), "protocol mismatch")
expect_error("bad version", packet('{"op":"list"}', version=99), "version 1")
expect_error("not JSON", packet("{op:"))
expect_error("not an object", packet("[1,2]"), "not a JSON object")
expect_error("unknown op", packet('{"op":"frobnicate"}'), "unknown operation")
expect_error("no op", packet('{"x":1}'), "unknown operation")
expect_error("reply kind", packet('{"op":"list"}', kind=REPLY), "expected a request")
expect_error("length mismatch", packet('{"op":"list"}', length=999), closed_ok=True)
expect_error("short packet", b"\x01\x02\x03", closed_ok=True)
expect_error("create without fds", packet('{"op":"create","config":{"name":"z"}}'),
             "file descriptor")
expect_error("create without config", packet('{"op":"create"}'), "config")
expect_error("destroy nothing", packet('{"op":"destroy"}'), "names no domain")
expect_error("destroy missing", packet('{"op":"destroy","domid":4000}'), "no such domain")
expect_error("domid huge", packet('{"op":"info","domid":99999999999}'), "no such domain")
expect_error("bad type", packet('{"op":"info","domid":"1"}'), "names no domain")
# create with a non-regular file (a pipe) as the kernel
r, w = os.pipe()
s = conn()
s.sendmsg([packet('{"op":"create","config":{"name":"pipe","memory_mib":16}}')],
          [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", r))])
rep = reply(s)
if not rep or rep.get("ok") is not False or "regular file" not in rep.get("error", ""):
    fails.append(f"pipe kernel: {rep!r}")
# bad config values
for cfg, text in ((('{"name":"m","memory_mib":1}'), "memory_mib"),
                  (('{"name":"v","max_vcpus":1000}'), "max_vcpus"),
                  (('{"name":"a","on_crash":"explode"}'), "unknown action"),
                  (('{"name":""}'), "name")):
    s = conn()
    fd = os.open("/bin/true", os.O_RDONLY)
    s.sendmsg([packet('{"op":"create","config":%s}' % cfg)],
              [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", fd))])
    rep = reply(s)
    os.close(fd)
    if not rep or rep.get("ok") is not False or text not in rep.get("error", ""):
        fails.append(f"config {cfg}: {rep!r}")
# garbage storm on one connection
s = conn()
for i in range(200):
    try:
        s.send(os.urandom(1 + i * 37 % 3000))
    except OSError:
        break
s.close()
# many idle connections
idle = [conn() for _ in range(100)]
if not alive():
    fails.append("pvhv stopped answering")
for c in idle:
    c.close()
if fails:
    print("\n".join(fails))
    sys.exit(1)
print("protocol: all bad requests refused, pvhv alive")
