"""What the registry plugs into the layers below it: its read model follows every flush that
changes labels, certificates and organisations."""

from __future__ import annotations

from labelling.registry.sync import follow_unit_of_work


def register() -> None:
    follow_unit_of_work()
