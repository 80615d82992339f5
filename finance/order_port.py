"""Finance's side of ``orders.finance_port``: the functions an order's services call
when it is paid, cancelled or approved on credit (handed over in apps.py)."""

from .selectors import customer_credit_exposure
from .services import closed_months, payment_build, payment_record, refund_request, refundable_amount

__all__ = [
    "closed_months",
    "customer_credit_exposure",
    "payment_build",
    "payment_record",
    "refund_request",
    "refundable_amount",
]
