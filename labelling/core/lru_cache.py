"""An in-process cache for Flask-Caching that keeps the most recently used entries.

Flask-Caching's SimpleCache, once full, sorts every entry on each write and evicts the
oldest written: a reader cycling through more pages than it holds then never hits it
again. This one evicts the least recently *used* entry in constant time and is bounded by
the bytes it holds as well as by the number of entries, so a worker's memory stays
predictable (CACHE_THRESHOLD entries, CACHE_MAX_BYTES bytes).

    CACHE_TYPE = "labelling.core.lru_cache.LRUCache"
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from time import monotonic
from typing import Any

from flask_caching.backends.base import BaseCache


class LRUCache(BaseCache):
    def __init__(
        self,
        threshold: int = 500,
        max_bytes: int = 32 * 2**20,
        default_timeout: int = 300,
        **_options,  # Flask-Caching passes every backend's common options
    ):
        super().__init__(default_timeout=default_timeout)
        self.threshold = threshold
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app, config: dict[str, Any], args: list, kwargs: dict) -> LRUCache:
        kwargs.update(threshold=config["CACHE_THRESHOLD"], max_bytes=config["CACHE_MAX_BYTES"])
        return cls(*args, **kwargs)

    def _expiry(self, timeout: int | None) -> float:
        seconds = self._normalize_timeout(timeout)
        return monotonic() + seconds if seconds > 0 else float("inf")

    def _drop(self, key: str) -> None:
        _expires, data = self._entries.pop(key)
        self.size -= len(data)

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] < monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            data = found[1]
        return pickle.loads(data)  # noqa: S301 - our own values, pickled in this process

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > self.max_bytes:
            return False
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (self._expiry(timeout), data)
            self.size += len(data)
            while len(self._entries) > self.threshold or self.size > self.max_bytes:
                self._drop(next(iter(self._entries)))
        return True

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        if self.has(key):
            return False
        return self.set(key, value, timeout)

    def has(self, key: str) -> bool:
        with self._lock:
            found = self._entries.get(key)
            return found is not None and found[0] >= monotonic()

    def delete(self, key: str) -> bool:
        with self._lock:
            if key not in self._entries:
                return False
            self._drop(key)
            return True

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
            self.size = 0
        return True
