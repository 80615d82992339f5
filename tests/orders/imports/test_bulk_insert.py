"""The bulk import's own instance builder and INSERT write what Django would."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.bulk_insert import Prototype, insert_rows, insert_values
from finance.models import SettlementBatch, SettlementLine
from orders.models import Order, OrderEvent, OrderLine


def order_values(channel, number):
    return {
        "number": number,
        "channel": channel,
        "platform_order_id": f"P-{number}",
        "placed_at": datetime(2024, 5, 1, 2, 3, 4, 567000, tzinfo=UTC),
        "ship_name": "王小明",
        "goods_amount": Decimal("12.30"),
        "discount_amount": Decimal("0.05"),
        "buyer_message": "第一行\n第二行",
    }


def stored(model, pk, exclude=("id", "number", "platform_order_id", "order_id", "created_at", "updated_at")):
    return {key: value for key, value in model.objects.filter(pk=pk).values().get().items() if key not in exclude}


def test_prototype_instances_insert_the_same_rows_as_the_orm(channel, clerk):
    built = Prototype(Order).new(**order_values(channel, "A1"))
    plain = Order(**order_values(channel, "B1"))
    insert_rows([built], return_ids=True)
    Order.objects.bulk_create([plain])

    assert built.pk is not None and not built._state.adding
    assert stored(Order, built.pk) == stored(Order, plain.pk)

    line_values = {"title": "茶", "quantity": 2, "unit_price": Decimal("9.90")}
    lines = [Prototype(OrderLine).new(order=built, **line_values), OrderLine(order=plain, **line_values)]
    insert_rows(lines[:1])
    OrderLine.objects.bulk_create(lines[1:])
    assert stored(OrderLine, built.lines.get().pk) == stored(OrderLine, plain.lines.get().pk)

    event_values = {"type": "paid", "actor": clerk, "created_at": datetime(2024, 5, 1, tzinfo=UTC), "parameters": {"amount": "1.00", "note": "引号\""}}
    insert_rows([Prototype(OrderEvent).new(order=built, **event_values)])
    OrderEvent.objects.create(order=plain, **event_values)
    assert stored(OrderEvent, built.events.get().pk) == stored(OrderEvent, plain.events.get().pk)


def test_plain_values_insert_the_same_rows_as_the_orm(channel):
    # Settlement lines are written this way (finance.services.settlement).
    batch = SettlementBatch.objects.create(source="alipay", file_name="f.csv", sha256="0" * 64, imported_at=datetime(2024, 5, 2, tzinfo=UTC))
    values = {
        "batch_id": batch.pk,
        "source": "alipay",
        "line_number": 7,
        "external_id": "2024050200001",
        "occurred_at": datetime(2024, 5, 1, 2, 3, 4, 567000, tzinfo=UTC),
        "kind": "sale",
        "description": "商品",
        "order_reference": "1001",
        "order_id": None,
        "refund_id": None,
        "currency": "CNY",
        "amount": Decimal("19.80"),
        "fee": Decimal("-0.10"),
        "net": Decimal("19.70"),
        "expected": None,
        "difference": None,
        "match_class": "order_unknown",
        "note": "",
    }
    SettlementLine.objects.create(**values)

    insert_values(SettlementLine, tuple(values), [tuple({**values, "external_id": "2024050200002"}.values())])

    pks = SettlementLine.objects.order_by("pk").values_list("pk", flat=True)
    first, second = (stored(SettlementLine, pk, exclude=("id", "external_id")) for pk in pks)
    assert first == second


def test_a_row_pointing_at_an_unsaved_order_is_refused(channel):
    order = Prototype(Order).new(**order_values(channel, "C1"))
    with pytest.raises(ValueError, match="unsaved"):
        insert_rows([Prototype(OrderLine).new(order=order, title="x", quantity=1)])


def test_an_unknown_field_is_an_error_like_the_models_own(channel):
    with pytest.raises(TypeError, match="unexpected keyword"):
        Prototype(Order).new(nonsense=1)
