"""A TCP proxy in front of PostgreSQL that can go silent: it keeps accepting connections
and reading what clients send, but forwards nothing either way, as a stopped database
process or a broken network path behind a load balancer does."""

from __future__ import annotations

import contextlib
import select
import socket
import threading


class SilentProxy:
    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.silent = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.1)
                if not ready:
                    continue
                client, _ = self._listener.accept()
                server = socket.create_connection(self.upstream)
            except OSError:  # closed
                return
            self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([source], [], [], 0.1)
                if not ready:
                    continue
                data = source.recv(65536)
                if not data:
                    target.shutdown(socket.SHUT_WR)
                    return
                if not self.silent.is_set():  # silent: read and drop, answer nothing
                    target.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
