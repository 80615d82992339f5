"""Locks on a record edited on its own (master data: a customer, a channel, a
SKU). Such an edit locks that one row and nothing else, so it stands outside
the Order → OrderLine → StockLevel → finance chain and cannot deadlock with it."""


def record_for_update(model, pk):
    return model.objects.select_for_update().get(pk=pk)
