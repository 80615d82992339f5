"""Document numbers without gaps: taken inside the transaction that uses them."""

from django.db import transaction

from .locks import number_sequence_for_update


def take_numbers(series: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive values of ``series``; locks the series row."""
    with transaction.atomic():
        sequence = number_sequence_for_update(series)
        first = sequence.last_value + 1
        sequence.last_value += count
        sequence.save(update_fields=["last_value"])
    return range(first, first + count)


def take_number(series: str) -> int:
    return take_numbers(series)[0]
