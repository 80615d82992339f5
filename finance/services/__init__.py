"""Finance services: the only code that writes payments, refunds, invoices,
closed periods and settlement files. Callers import from here
(``from finance import services``); the modules group them by record."""

from .invoices import (
    B2B_INVOICEABLE_STATUSES,
    CREDIT_NOTE_SERIES,
    INVOICE_SERIES,
    INVOICEABLE_STATUSES,
    credit_note_for_refund,
    invoice_issue,
    invoice_void,
    valid_invoice,
)
from .payments import ON_ACCOUNT_STATUSES, outstanding_amount, payment_build, payment_receive, payment_record
from .periods import PeriodClosed, closed_months, ensure_period_open, month_of, period_close
from .refunds import (
    RefundLineInput,
    refund_approve,
    refund_fail,
    refund_mark_paid,
    refund_request,
    refundable_amount,
)
from .settlement import SCOPES, ImportResult, settlement_import

__all__ = [
    "B2B_INVOICEABLE_STATUSES",
    "CREDIT_NOTE_SERIES",
    "INVOICEABLE_STATUSES",
    "INVOICE_SERIES",
    "ON_ACCOUNT_STATUSES",
    "PeriodClosed",
    "RefundLineInput",
    "SCOPES",
    "ImportResult",
    "settlement_import",
    "closed_months",
    "credit_note_for_refund",
    "ensure_period_open",
    "invoice_issue",
    "invoice_void",
    "month_of",
    "outstanding_amount",
    "payment_receive",
    "payment_build",
    "payment_record",
    "period_close",
    "refund_approve",
    "refund_fail",
    "refund_mark_paid",
    "refund_request",
    "refundable_amount",
    "valid_invoice",
]
