"""What an order needs from the money side: payments in, refunds out, the
closed months and what a customer owes on account.

Finance sits above orders (its records point at orders, it locks them and
writes their timeline), so orders never imports it. Finance hands these
functions over once, from its AppConfig.ready(), through ``provide``;
orders' services call them through ``finance()``, inside their own
transaction, so an order and its money are written or rolled back together."""

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class FinancePort(Protocol):
    def payment_record(self, *, order, actor, amount: Decimal, method: str, reference: str, at: datetime): ...

    def payment_build(
        self, *, order, actor, amount: Decimal, method: str, reference: str, at: datetime, closed_months=None
    ):
        """An unsaved payment, checked, for a bulk import to insert with its orders."""

    def closed_months(self) -> set[date]: ...

    def refundable_amount(self, order) -> Decimal: ...

    def refund_request(self, *, order, actor, amount: Decimal, reason: str, at=None): ...

    def customer_credit_exposure(self, customer, *, excluding_order_id=None) -> Decimal: ...


_provider: FinancePort | None = None


def provide(provider: FinancePort) -> None:
    global _provider
    _provider = provider


def finance() -> FinancePort:
    if _provider is None:
        raise ImproperlyConfigured("orders.finance_port has no provider: the 'finance' app must be in INSTALLED_APPS.")
    return _provider
