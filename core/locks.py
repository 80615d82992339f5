"""Row locks of the toolbox.

A number sequence is the last row any transaction locks (after its Order →
OrderLine → StockLevel → finance rows): it is taken for the document being
written and held only until that commits.

A record edited on its own (master data: a customer, a channel, a SKU) locks
that one row and nothing else, so it stands outside the Order → OrderLine →
StockLevel → finance chain and cannot deadlock with it."""

from .models import NumberSequence


def number_sequence_for_update(name: str) -> NumberSequence:
    """The sequence called ``name``, created at 0 if new, then locked: whoever
    takes its next value (or serialises on it) waits for the one before."""
    NumberSequence.objects.get_or_create(name=name)
    return NumberSequence.objects.select_for_update().get(name=name)


def record_for_update(model, pk):
    return model.objects.select_for_update().get(pk=pk)
