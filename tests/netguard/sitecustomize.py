"""Loaded by tests that must prove a process uses no network: put this folder on PYTHONPATH.

Every attempt to connect or send from an internet socket, and every host name resolution, is
written to the file named by ``NORTHNEWS_NETGUARD_LOG`` and refused. With
``NORTHNEWS_NETGUARD_LOOPBACK=1`` (every test crawl through the local portal server) loopback
stays open — connections to 127.0.0.0/8 and ::1, and resolving ``localhost`` or a loopback
literal — and anything else is refused and logged: no test ever reaches another machine, not
even a DNS resolver. (Creating a socket is not
traffic: urllib3 creates and binds one on ``::1`` at import time to probe for IPv6 support, and
event loops use local socket pairs to wake themselves.)
"""

import ipaddress
import os
import socket
import traceback

_LOG = os.environ.get("NORTHNEWS_NETGUARD_LOG")
_LOOPBACK_OK = os.environ.get("NORTHNEWS_NETGUARD_LOOPBACK") == "1"


def _loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").split("%", 1)[0]
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

if _LOG:

    def _refuse(what: str) -> None:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{what}\n{''.join(traceback.format_stack(limit=10))}\n")
        raise OSError(f"netguard: {what} refused")

    class _GuardedSocket(socket.socket):
        def _guard(self, what, args):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                address = args[-1] if args else None
                if _LOOPBACK_OK and isinstance(address, tuple) and address and _loopback(address[0]):
                    return
                _refuse(f"{what}{args!r}")

        def connect(self, *args):
            self._guard("connect", args)
            return super().connect(*args)

        def connect_ex(self, *args):
            self._guard("connect_ex", args)
            return super().connect_ex(*args)

        def sendto(self, *args):
            self._guard("sendto", args)
            return super().sendto(*args)

        def sendmsg(self, *args):
            self._guard("sendmsg", args)
            return super().sendmsg(*args)

    def _guarded(name):
        original = getattr(socket, name)

        def refuse(*args, **kwargs):
            target = args[0] if args else kwargs.get("host", kwargs.get("address"))
            if isinstance(target, tuple) and target:
                target = target[0]
            if _LOOPBACK_OK and _loopback(target):
                return original(*args, **kwargs)
            _refuse(f"{name}{args!r}")

        return refuse

    socket.socket = _GuardedSocket
    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        setattr(socket, _name, _guarded(_name))
