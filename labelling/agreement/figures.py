"""Agreement figures from pairs of outcomes (pure; numpy and the `krippendorff` library).

For one indicator, the pairs come as counts per (first outcome, second outcome), as SQL
groups them. The coefficient is Krippendorff's alpha from the library, with the ordinal
metric for bands and the nominal one for verdicts; its 95 % interval comes from a bootstrap
over applications (resampling the pairs with replacement, a fixed seed so that a page shows
the same interval twice). An indicator is "read differently" below the customary 0.667
line, or when its interval reaches below it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import krippendorff
import numpy as np

LINE = 0.667  # Krippendorff: the lowest alpha from which tentative conclusions are drawn
RESAMPLES = 200
SEED = 2024


@dataclass(frozen=True)
class Agreement:
    pairs: int
    exact: float  # the share of pairs with the same outcome
    alpha: float | None  # None: every outcome was the same one, alpha is undefined
    low: float | None
    high: float | None

    @property
    def read_differently(self) -> bool:
        if self.alpha is None:
            return False
        return self.alpha < LINE or (self.low is not None and self.low < LINE)


def _reliability_data(types: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Two rows (the assessors) by one column per application, as the library reads it."""
    return np.repeat(types, counts, axis=0).T.astype(float)


def _alpha(types: np.ndarray, counts: np.ndarray, metric: str) -> float | None:
    present = types[counts > 0]
    if len(np.unique(present)) < 2:
        return None
    return float(
        krippendorff.alpha(
            reliability_data=_reliability_data(types, counts), level_of_measurement=metric
        )
    )


def agreement(
    pair_counts: Mapping[tuple[int, int], int],
    metric: str,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Agreement:
    """The figures of one indicator over its pairs (both outcomes present)."""
    pair_counts = {pair: count for pair, count in pair_counts.items() if count > 0}
    total = sum(pair_counts.values())
    if not total:
        return Agreement(0, 0.0, None, None, None)
    types = np.array(sorted(pair_counts), dtype=int)
    counts = np.array([pair_counts[tuple(pair)] for pair in types])
    exact = float(counts[types[:, 0] == types[:, 1]].sum() / total)
    alpha = _alpha(types, counts, metric)
    if alpha is None:
        return Agreement(total, exact, None, None, None)
    generator = np.random.default_rng(seed)
    drawn = [
        _alpha(types, generator.multinomial(total, counts / total), metric)
        for _ in range(resamples)
    ]
    # A resample with one outcome only has no alpha: it is left out of the interval.
    found = [value for value in drawn if value is not None]
    low, high = (float(v) for v in np.percentile(found, [2.5, 97.5])) if found else (None, None)
    return Agreement(total, exact, alpha, low, high)
