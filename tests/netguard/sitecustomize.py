"""Loaded by tests that must prove a process uses no network: put this folder on PYTHONPATH.

Every attempt to connect or send from an internet socket, and every host name resolution, is
written to the file named by ``NORTHNEWS_NETGUARD_LOG`` and refused. (Creating a socket is not
traffic: urllib3 creates and binds one on ``::1`` at import time to probe for IPv6 support, and
event loops use local socket pairs to wake themselves.)
"""

import os
import socket
import traceback

_LOG = os.environ.get("NORTHNEWS_NETGUARD_LOG")

if _LOG:

    def _refuse(what: str) -> None:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{what}\n{''.join(traceback.format_stack(limit=10))}\n")
        raise OSError(f"netguard: {what} refused")

    class _GuardedSocket(socket.socket):
        def _guard(self, what, args):
            if self.family in (socket.AF_INET, socket.AF_INET6):
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
        def refuse(*args, **kwargs):
            _refuse(f"{name}{args!r}")

        return refuse

    socket.socket = _GuardedSocket
    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        setattr(socket, _name, _guarded(_name))
