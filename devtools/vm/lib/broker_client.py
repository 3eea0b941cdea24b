#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Raw clients of the broker's socket for the broker scenario.

The wire format is lib/vftoken/vft_broker.h's (doc/guides/broker.rst,
"Protocol"): SOCK_SEQPACKET, one message per datagram, a 16-byte header
(magic, version, op, len, seq) and a body of fixed layout.

  dying SOCK ADDR      three children that die mid-request: one connects
                       and exits, one sends half a header and exits, one
                       sends a whole open request of ADDR and exits before
                       the reply; prints "request: pid N" for the last.
  silent SOCK SECS     connects and sends nothing; exit 0 when the broker
                       closes the connection within SECS seconds.
  loop SOCK ADDR N     N open requests of ADDR, each on a connection of
                       its own; every reply must be well formed, carry an
                       error and no fd (the caller picks a request the
                       broker refuses or cannot serve). Exit 0 if so.
  badctx SOCK ADDR CTX [GROUP_NODE GROUP_ID]
                       an open of ADDR on the group path whose container
                       fd is the file CTX (and group fd the file
                       GROUP_NODE, claimed to be group GROUP_ID); prints
                       "error=E fds=N reason=R", or "closed" when the
                       broker closed the connection unanswered. Exit 0.
  race SOCK ADDR N     N opens of ADDR while its VFs come and go: every
                       reply well formed, either an error with no fd or
                       a success with fds; prints the counts. Exit 0 if
                       every reply was well formed.
  cdevctx SOCK ADDR CTX IOAS
                       an open of ADDR on the cdev path whose iommufd is
                       the file CTX, into IOAS number IOAS; prints what
                       came back (as badctx). Exit 0.
  passed SOCK ADDR     connects, hands the socket to a child and exits;
                       the child sends an open of ADDR once its parent is
                       gone and prints what came back (as badctx). Exit 0.
  flood SOCK ADDR SECS N
                       N connections at once, each sending opens of ADDR
                       and connecting again when closed, for SECS seconds;
                       prints how many requests were sent and answered.
  many SOCK ADDR,ADDR... [unread]
                       one open-many request (several functions at once)
                       on a new context, group path; prints one line per
                       reply, "seq=S error=E fds=N fdmask=M reason=R", and
                       closes the fds. Exit 0 when a well-formed reply came
                       for each, in order. With unread: sends it, waits
                       2 s, closes the connection without reading a
                       reply; prints "sent unread".
"""

import array
import os
import socket
import struct
import sys
import time

MAGIC = 0x42544656
VERSION = 1
OP_OPEN = 1
OP_OPEN_MANY = 4
MANY_MAX = 16
PATH_GROUP = 0
PATH_CDEV = 1
HDR = struct.Struct("<IHHII")
# header, addr[32], path, pad[3], flags, ioas_id, group_id
OPEN_REQ = struct.Struct("<IHHII32sB3xIIi")
# header, error, verdict, path, pad[3], fds, ioas_id, group_id, cdev
OPEN_REP = struct.Struct("<IHHIIiIB3xIIii")
# header, path, pad[3], flags, ioas_id, count, addr[16][32]
MANY_REQ = struct.Struct("<IHHIIB3xIII%ds" % (MANY_MAX * 32))
MSG_MAX = 2048
MAX_FDS = 3


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s


def open_request(addr, seq):
    return OPEN_REQ.pack(MAGIC, VERSION, OP_OPEN, OPEN_REQ.size, seq,
                         addr.encode(), PATH_GROUP, 0, 0, -1)


def child(fn):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fn()
            code = 0
        except OSError as e:
            print("pid %d: %s" % (os.getpid(), e), flush=True)
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return pid, os.waitstatus_to_exitcode(status)


def dying(path, addr):
    def only_connect():
        connect(path)

    def half_header():
        connect(path).send(HDR.pack(MAGIC, VERSION, OP_OPEN, 0, 0)[:8])

    def request_unread():
        connect(path).send(open_request(addr, 7))

    failed = 0
    for name, fn in (("connect", only_connect), ("half", half_header),
                     ("request", request_unread)):
        pid, code = child(fn)
        print("%s: pid %d, exit status %d" % (name, pid, code), flush=True)
        failed += code != 0
    return 1 if failed else 0


def silent(path, secs):
    """Connect, send nothing, wait up to secs for the broker to close."""
    s = connect(path)
    s.settimeout(secs)
    t0 = time.monotonic()
    try:
        data = s.recv(MSG_MAX)
    except socket.timeout:
        print("pid %d: still connected after %.0f s" % (os.getpid(), secs))
        return 1
    finally:
        s.close()
    print("pid %d: closed by the broker after %.1f s%s"
          % (os.getpid(), time.monotonic() - t0,
             " (it sent %d bytes)" % len(data) if data else ""))
    return 0 if not data else 1


def one_request(path, addr, seq):
    """Send one open request; return (error, verdict, nfds, reason) or
    raise ValueError naming what is wrong with the reply."""
    s = connect(path)
    try:
        s.send(open_request(addr, seq))
        fds = array.array("i")
        msg, anc, _, _ = s.recvmsg(MSG_MAX,
                                   socket.CMSG_SPACE(MAX_FDS * fds.itemsize))
    finally:
        s.close()
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    for fd in fds:
        os.close(fd)
    if len(msg) < OPEN_REP.size:
        raise ValueError("reply of %d bytes, expected at least %d"
                         % (len(msg), OPEN_REP.size))
    (magic, version, op, length, rseq, error, verdict, _path, _fdbits,
     _ioas, _group, _cdev) = OPEN_REP.unpack_from(msg)
    if (magic, version, op, rseq) != (MAGIC, VERSION, OP_OPEN, seq):
        raise ValueError("reply header magic %#x version %d op %d seq %d,"
                         " expected %#x %d %d %d" % (magic, version, op, rseq,
                                                     MAGIC, VERSION, OP_OPEN,
                                                     seq))
    if length != len(msg):
        raise ValueError("reply len field %d, received %d" % (length, len(msg)))
    reason = msg[OPEN_REP.size:].split(b"\0", 1)[0].decode(errors="replace")
    return error, verdict, len(fds), reason


def request_fds(addr, seq, flags, group_id, fds):
    return OPEN_REQ.pack(MAGIC, VERSION, OP_OPEN, OPEN_REQ.size, seq,
                         addr.encode(), PATH_GROUP, flags, 0, group_id), fds


def answer(s):
    """What came back on s: a reply summary, or "closed"."""
    fds = array.array("i")
    try:
        msg, anc, _, _ = s.recvmsg(MSG_MAX,
                                   socket.CMSG_SPACE(MAX_FDS * fds.itemsize))
    except OSError as e:
        return "closed (%s)" % e.strerror
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    for fd in fds:
        os.close(fd)
    if not msg:
        return "closed"
    if len(msg) < OPEN_REP.size:
        return "short reply of %d bytes" % len(msg)
    error = OPEN_REP.unpack_from(msg)[5]
    reason = msg[OPEN_REP.size:].split(b"\0", 1)[0].decode(errors="replace")
    return "error=%d fds=%d reason=%s" % (error, len(fds), reason)


def badctx(path, addr, ctx, group=None, group_id=-1):
    fds = [os.open(ctx, os.O_RDWR)]
    flags = 1
    if group is not None:
        fds.append(os.open(group, os.O_RDWR))
        flags |= 2
    s = connect(path)
    req, fds = request_fds(addr, 5, flags, group_id, fds)
    s.sendmsg([req], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                       array.array("i", fds))])
    for fd in fds:
        os.close(fd)
    print(answer(s))
    s.close()
    return 0


def cdevctx(path, addr, ctx, ioas):
    fd = os.open(ctx, os.O_RDWR)
    s = connect(path)
    req = OPEN_REQ.pack(MAGIC, VERSION, OP_OPEN, OPEN_REQ.size, 6,
                        addr.encode(), PATH_CDEV, 1, ioas, -1)
    s.sendmsg([req], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                       array.array("i", [fd]))])
    os.close(fd)
    print(answer(s))
    s.close()
    return 0


def passed(path, addr):
    s = connect(path)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)  # the parent is gone when this returns
        time.sleep(0.2)
        try:
            s.send(open_request(addr, 9))
            got = answer(s)
        except OSError as e:
            got = "closed (%s)" % e.strerror
        print("child pid %d, parent gone: %s" % (os.getpid(), got),
              flush=True)
        os._exit(0)
    os.close(r)
    print("parent pid %d exits, child %d keeps the socket" % (os.getpid(),
                                                               pid),
          flush=True)
    os._exit(0)


def flood(path, addr, secs, n):
    end = time.monotonic() + secs
    socks = []
    sent = answered = closed = 0
    seq = 0
    while time.monotonic() < end:
        while len(socks) < n:
            try:
                socks.append(connect(path))
            except OSError:
                break
        for s in list(socks):
            seq += 1
            try:
                s.send(open_request(addr, seq & 0xffffffff))
                sent += 1
                s.settimeout(2)
                data = s.recv(MSG_MAX)
            except OSError:
                data = b""
            if data:
                answered += 1
            else:
                closed += 1
                s.close()
                socks.remove(s)
        time.sleep(0.05)
    for s in socks:
        s.close()
    print("flood: %d requests sent, %d answered, %d connections closed by "
          "the broker" % (sent, answered, closed))
    return 0


def race(path, addr, n):
    ok = err = bad = 0
    for seq in range(1, n + 1):
        try:
            error, _verdict, nfds, _reason = one_request(path, addr, seq)
        except (OSError, ValueError) as e:
            bad += 1
            print("request %d: %s" % (seq, e))
            continue
        if error == 0 and nfds > 0:
            ok += 1
        elif error < 0 and nfds == 0:
            err += 1
        else:
            bad += 1
            print("request %d: error %d with %d fds" % (seq, error, nfds))
    print("race: %d opened, %d refused or failed, %d bad" % (ok, err, bad))
    return 0 if bad == 0 else 1


def loop(path, addr, n):
    errors = {}
    bad = 0
    fds = 0
    first = None
    t0 = time.monotonic()
    for seq in range(1, n + 1):
        try:
            error, verdict, nfds, reason = one_request(path, addr, seq)
        except (OSError, ValueError) as e:
            bad += 1
            if bad <= 3:
                print("request %d: %s" % (seq, e))
            continue
        errors[(error, verdict)] = errors.get((error, verdict), 0) + 1
        fds += nfds
        if first is None:
            first = reason
    ms = (time.monotonic() - t0) * 1000
    print("%d requests in %.0f ms (%.2f ms each): replies by (error, verdict)"
          " %s, %d fds received, %d bad" % (n, ms, ms / n, errors, fds, bad))
    print("first reason: %s" % first)
    ok = bad == 0 and fds == 0 and sum(errors.values()) == n and \
        all(e != 0 for e, _ in errors)
    return 0 if ok else 1


def many(path, addrs, unread=False):
    names = addrs.split(",")
    body = b"".join(a.encode().ljust(32, b"\0") for a in names)
    req = MANY_REQ.pack(MAGIC, VERSION, OP_OPEN_MANY, MANY_REQ.size, 1,
                        PATH_GROUP, 0, 0, len(names), body)
    s = connect(path)
    s.send(req)
    if unread:
        time.sleep(2)
        s.close()
        print("sent unread")
        return 0
    bad = 0
    s.settimeout(60)
    for i, _ in enumerate(names):
        fds = array.array("i")
        try:
            msg, anc, _, _ = s.recvmsg(
                MSG_MAX, socket.CMSG_SPACE(MAX_FDS * fds.itemsize))
        except OSError as e:
            print("seq=%d: no reply (%s)" % (1 + i, e))
            return 1
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
        for fd in fds:
            os.close(fd)
        if len(msg) != OPEN_REP.size + 2 * 512:
            print("seq=%d: reply of %d bytes" % (1 + i, len(msg)))
            return 1
        (magic, version, op, _length, rseq, error, _verdict, _path, fdbits,
         _ioas, _group, _cdev) = OPEN_REP.unpack_from(msg)
        if (magic, version, op, rseq) != (MAGIC, VERSION, OP_OPEN_MANY,
                                          1 + i):
            bad += 1
        reason = msg[OPEN_REP.size:].split(b"\0", 1)[0].decode(
            errors="replace")
        print("seq=%d op=%d error=%d fds=%d fdmask=%d reason=%s"
              % (rseq, op, error, len(fds), fdbits, reason))
    s.close()
    return 0 if bad == 0 else 1


def main(argv):
    if len(argv) >= 3 and argv[1] == "dying":
        return dying(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "silent":
        return silent(argv[2], float(argv[3]))
    if len(argv) == 5 and argv[1] == "loop":
        return loop(argv[2], argv[3], int(argv[4]))
    if len(argv) in (5, 7) and argv[1] == "badctx":
        return badctx(argv[2], argv[3], argv[4],
                      *(argv[5], int(argv[6])) if len(argv) == 7 else ())
    if len(argv) == 5 and argv[1] == "race":
        return race(argv[2], argv[3], int(argv[4]))
    if len(argv) == 6 and argv[1] == "cdevctx":
        return cdevctx(argv[2], argv[3], argv[4], int(argv[5]))
    if len(argv) == 4 and argv[1] == "passed":
        return passed(argv[2], argv[3])
    if len(argv) in (4, 5) and argv[1] == "many":
        return many(argv[2], argv[3], len(argv) == 5 and argv[4] == "unread")
    if len(argv) == 6 and argv[1] == "flood":
        return flood(argv[2], argv[3], float(argv[4]), int(argv[5]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
