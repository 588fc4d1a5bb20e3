"""A small per-process map that forgets its oldest entries beyond a size: the one
eviction rule for the caches on the request path (page shells, signed CSRF tokens,
verified session cookies)."""
from __future__ import annotations

import threading
from collections import OrderedDict


class BoundedMap(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def put(self, key, value) -> None:
        with self.lock:
            self[key] = value
            while len(self) > self.size:
                self.popitem(last=False)

    def forget_all(self) -> None:
        with self.lock:
            self.clear()
