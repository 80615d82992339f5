"""After-sales services: the only code that changes a ticket. Each runs in one
transaction, locks the ticket's order first (then the ticket, then stock and
finance rows), checks the permission its transition declares and writes the
step on the order's timeline. Callers import from here."""

from .goods import return_inspect, return_receive
from .opening import RETURNABLE_STATUSES, return_assign, return_open
from .resolution import return_close_when_refund_paid, return_exchange, return_refund, return_reship, ticket_refund_cap, ticket_refund_units
from .ticket_steps import STEP_LABELS, check_step, return_approve, return_await, return_cancel, return_close, return_reject

__all__ = [
    "RETURNABLE_STATUSES",
    "STEP_LABELS",
    "check_step",
    "return_approve",
    "return_assign",
    "return_await",
    "return_cancel",
    "return_close",
    "return_close_when_refund_paid",
    "return_exchange",
    "return_inspect",
    "return_open",
    "return_receive",
    "return_refund",
    "return_reject",
    "return_reship",
    "ticket_refund_cap",
    "ticket_refund_units",
]
