"""django-q2 tasks: each takes ids, calls a service, and is safe to run twice."""

from . import services


def close_ticket_refund_paid(ticket_id: int) -> str:
    """Finance paid this ticket's refund (queued by finance.services.refunds): the ticket closes."""
    return services.return_close_when_refund_paid(ticket_id=ticket_id).status
