"""Signals benchmarking sends, so that the features built on it never need a hook inside.

`benchmark_decided` is sent when an application's decision (award or refusal) has made its
figures final and frozen its peer statistics, in the same transaction, with `application`,
`entry` (the organisation's current entry), `framework`, `result` (the assessed scoring
result) and `snapshot`. A receiver must flush and never commit.
"""

from blinker import Namespace

_signals = Namespace()
benchmark_decided = _signals.signal("benchmark-decided")
