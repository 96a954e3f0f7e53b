"""Progress of long commands on a terminal (export, import, rebuilds); silent elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

Progress = Callable[[str, int], None]  # (what was just done, how many steps in all)


@contextmanager
def terminal_progress(label: str) -> Iterator[Progress]:
    """A callback advancing a progress bar by one step; the bar appears at the first call,
    when the number of steps is known, and only on a terminal (click decides)."""
    bar = None

    def advance(item: str, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(
                length=total, label=label, item_show_func=lambda name: name, show_pos=True
            )
            bar.__enter__()
        bar.update(1, item)

    try:
        yield advance
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
