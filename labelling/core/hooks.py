"""Registries that a lower layer reads and the features above it fill at start-up.

An import never points up the layers (ARCHITECTURE.md). When a lower layer must still
reach what is built above it (the job queue runs a feature's tasks, the daily run sends
every feature's reminders, /metrics counts the labels), it declares a `Registry`, and each
feature adds its entries from its own `hooks.register()`, which the application factory
calls. Events go the other way as blinker signals (`assessments.signals`), and so do the
parts that higher features add to a lower feature's page (`page_context`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from blinker import Signal

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries in the order they were registered."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T) -> None:
        """Add `entry` as `name`. The same entry again changes nothing (a process may build
        several applications: tests, commands); another entry under a taken name is a
        mistake that would silently replace the first."""
        known = self._entries.get(name)
        if known is not None and known is not entry:
            raise ValueError(f"{self.purpose}: {name!r} is registered already")
        self._entries[name] = entry

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise LookupError(f"{self.purpose}: nothing is registered as {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return list(self._entries)


def page_context(signal: Signal, sender: object, **kwargs: Any) -> dict[str, Any]:
    """The template values that the receivers of `signal` add to a page about `sender`
    (an organisation's page lists its labels, which organisations may not import)."""
    values: dict[str, Any] = {}
    for _receiver, added in signal.send(sender, **kwargs):
        values.update(added or {})
    return values
