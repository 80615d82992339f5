"""Returned goods back into stock, and what the channels may still sell."""

import pytest

from inventory.models import MovementKind, StockLevel, StockMovement
from inventory.selectors import available_to_sell_by_sku
from inventory.services import stock_receive_return
from core.errors import DomainError

from .test_stock_conservation import assert_stock_conserved


def level_of(warehouse, sku):
    return StockLevel.objects.get(warehouse=warehouse, sku=sku)


def test_sellable_returned_goods_go_back_on_hand_through_the_ledger(warehouse, sku, warehouse_user):
    before = level_of(warehouse, sku).on_hand

    stock_receive_return(actor=warehouse_user, warehouse=warehouse, sku=sku, quantity=2, sellable=True, reference="RT1")

    level = level_of(warehouse, sku)
    assert (level.on_hand, level.quarantined) == (before + 2, 0)
    movement = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert (movement.on_hand_delta, movement.quarantined_delta, movement.reference) == (2, 0, "RT1")
    assert_stock_conserved()


def test_damaged_returned_goods_go_to_quarantine_not_to_sellable_stock(warehouse, sku, warehouse_user):
    before = level_of(warehouse, sku)

    stock_receive_return(actor=warehouse_user, warehouse=warehouse, sku=sku, quantity=3, sellable=False, reason="crushed")

    level = level_of(warehouse, sku)
    assert (level.on_hand, level.quarantined) == (before.on_hand, 3)
    assert available_to_sell_by_sku(sku_ids=[sku.pk]) == {sku.pk: before.on_hand}
    assert StockMovement.objects.get(kind=MovementKind.QUARANTINE).quarantined_delta == 3
    assert_stock_conserved()


def test_a_return_of_nothing_is_refused(warehouse, sku, warehouse_user):
    with pytest.raises(DomainError):
        stock_receive_return(actor=warehouse_user, warehouse=warehouse, sku=sku, quantity=0, sellable=True)


def test_available_to_sell_keeps_safety_stock_back_and_never_goes_below_zero(
    warehouse, second_warehouse, skus, receive_stock
):
    first, second = skus[0], skus[1]
    receive_stock(second_warehouse, first, 4)
    StockLevel.objects.filter(warehouse=warehouse, sku=first).update(safety_stock=10)  # 50 on hand → 40
    StockLevel.objects.filter(warehouse=second_warehouse, sku=first).update(safety_stock=9)  # 4 on hand → 0, not −5

    assert available_to_sell_by_sku(sku_ids=[first.pk, second.pk]) == {first.pk: 40, second.pk: 50}


def test_an_inactive_warehouse_sells_nothing(warehouse, sku):
    warehouse.is_active = False
    warehouse.save()

    assert available_to_sell_by_sku(sku_ids=[sku.pk]) == {}
