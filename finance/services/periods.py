"""Closed periods: once Finance closes a month, no payment, refund, invoice or
settlement line dated in it changes; corrections are dated in an open month.

Every finance service asks ``ensure_period_open`` about the date it is about
to write (and, when it changes an existing record, about that record's date).
Months are the seller's months (TIME_ZONE), not UTC's.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import DomainError, NotPermitted

from .. import locks
from ..models import ClosedPeriod


class PeriodClosed(DomainError):
    """The record is dated in a closed month."""

    def __init__(self, *, subject: str, at: datetime, month: date):
        self.month = month
        super().__init__(
            _(
                "%(subject)s is dated %(date)s, in %(period)s, which Finance has closed. "
                "Nothing dated in a closed period can change: record a correction dated in an open period instead."
            )
            % {"subject": subject, "date": date_format(timezone.localtime(at), "Y-m-d"), "period": f"{month:%Y-%m}"}
        )


def month_of(at: datetime) -> date:
    """The first day of the seller's month that ``at`` falls in."""
    return timezone.localtime(at).date().replace(day=1)


def closed_months() -> set[date]:
    """The closed months, held so until the caller's transaction ends (a bulk
    write reads them once and checks each record's date against them)."""
    locks.closed_months_held_for_dated_writes()
    return set(ClosedPeriod.objects.values_list("month", flat=True))


def ensure_period_open(at: datetime, *, subject: str, closed: set[date] | None = None) -> None:
    """Raise PeriodClosed if ``at`` lies in a closed month (``closed``: the months, if already
    read by ``closed_months`` in this transaction)."""
    month = month_of(at)
    if closed is None:
        locks.closed_months_held_for_dated_writes()
    is_closed = month in closed if closed is not None else ClosedPeriod.objects.filter(month=month).exists()
    if is_closed:
        raise PeriodClosed(subject=subject, at=at, month=month)


@transaction.atomic
def period_close(*, actor, year: int, month: int, note: str = "", at=None) -> ClosedPeriod:
    """Close a month that has ended; closing is final (there is no reopening)."""
    if actor is not None and not actor.has_perm("finance.close_period"):
        raise NotPermitted(_("Your role may not close periods."))
    at = at or timezone.now()
    locks.closed_months_for_closing()
    try:
        first_day = date(year, month, 1)
    except ValueError:
        raise DomainError(_("%(year)s-%(month)s is not a month.") % {"year": year, "month": month}) from None
    if first_day >= month_of(at):
        raise DomainError(
            _("%(period)s has not ended yet; a month is closed once it is over.") % {"period": f"{first_day:%Y-%m}"}
        )
    period, created = ClosedPeriod.objects.get_or_create(
        month=first_day, defaults={"closed_at": at, "closed_by": actor, "note": note.strip()}
    )
    if not created:
        raise DomainError(_("%(period)s is closed already.") % {"period": f"{first_day:%Y-%m}"})
    return period
