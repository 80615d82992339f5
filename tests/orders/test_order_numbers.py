"""Order numbers: SO + the local date + a six-digit counter, unique, no gaps."""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from orders import services
from core.errors import DomainError
from orders.models import Order
from orders.services import LineInput
from tests.factories import ship_to


def create(clerk, channel, sku, **kwargs):
    return services.order_create(
        actor=clerk,
        channel=channel,
        lines=[LineInput(title="Tea", quantity=1, unit_price=Decimal("9.90"), sku=sku)],
        placed_at=timezone.now(),
        **ship_to(),
        **kwargs,
    )


def test_order_numbers_are_unique_so_prefixed_and_consecutive(clerk, channel, sku):
    numbers = [create(clerk, channel, sku).number for _ in range(5)]

    today = timezone.localdate().strftime("%y%m%d")
    assert all(re.fullmatch(rf"SO{today}\d{{6}}", number) for number in numbers), numbers
    assert len(set(numbers)) == 5
    counters = [int(number[-6:]) for number in numbers]
    assert counters == list(range(counters[0], counters[0] + 5))


def test_a_refused_order_does_not_use_up_a_number(clerk, channel, sku):
    first = create(clerk, channel, sku, platform_order_id="TM-1")
    with pytest.raises(DomainError, match="already has an order TM-1"):
        create(clerk, channel, sku, platform_order_id="TM-1")
    with pytest.raises(DomainError), transaction.atomic():
        create(clerk, channel, sku, platform_order_id="TM-2")
        raise DomainError("the caller's transaction fails after the order was numbered")

    second = create(clerk, channel, sku, platform_order_id="TM-3")

    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert Order.objects.count() == 2


def test_an_order_needs_at_least_one_line(clerk, channel):
    with pytest.raises(DomainError, match="at least one line"):
        services.order_create(actor=clerk, channel=channel, lines=[], placed_at=timezone.now(), **ship_to())

    assert not Order.objects.exists()
