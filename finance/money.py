"""Money arithmetic: cents, explicit rounding, and splitting an amount over
weights so that the parts add up to the whole, to the cent."""

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cent(value) -> Decimal:
    """Round to the cent, half up (0.005 → 0.01), as the platforms and tax offices do."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split_by_weight(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` split in proportion to ``weights``, in cents that add up to ``total``.

    Largest remainder: every part is first rounded down to the cent, then the
    cents left over go one each to the parts that lost most by rounding down
    (the earlier part on a tie). No part exceeds its exact proportional share
    by a cent or more, and zero weights get nothing.
    """
    total = to_cent(total)
    if total < 0:
        return [-part for part in split_by_weight(-total, weights)]
    weight_sum = sum(weights, Decimal(0))
    if not weights:
        return []
    if weight_sum <= 0:
        if total:
            raise ValueError("Cannot split a non-zero amount over zero weights.")
        return [ZERO for _ in weights]
    exact = [total * weight / weight_sum for weight in weights]
    parts = [share.quantize(CENT, rounding=ROUND_DOWN) for share in exact]
    left_over = int((total - sum(parts, ZERO)) / CENT)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in by_remainder[:left_over]:
        parts[index] += CENT
    return parts
