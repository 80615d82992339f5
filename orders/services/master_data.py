"""Customers and channels, created and edited with a record of who changed
what from what to what (core.record_changes).

``values`` maps field names to their new values, as a validated form gives
them; an edit passes only the fields it changes. A customer's phone is set
only by someone who may see it, its credit limit and payment terms only by
the roles that decide them (orders.permissions).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core import locks
from core.errors import require_permission
from core.record_changes import record_create, record_update

from .. import permissions
from ..models import Channel, Customer

CUSTOMER_FIELDS = frozenset(
    {"name", "company", "is_business", "grade", "phone", "email", "credit_limit", "payment_terms_days"}
)
CHANNEL_FIELDS = frozenset({"code", "name", "platform", "default_currency", "is_active"})


@transaction.atomic
def customer_create(*, actor, values: dict) -> Customer:
    require_permission(actor, "orders.add_customer", _("Your role may not add customers."))
    return record_create(Customer, actor=actor, values=values, editable=CUSTOMER_FIELDS, locked=_locked_fields(actor))


@transaction.atomic
def customer_update(*, actor, customer_id: int, values: dict) -> Customer:
    require_permission(actor, "orders.change_customer", _("Your role may not change customers."))
    customer = locks.record_for_update(Customer, customer_id)
    record_update(customer, actor=actor, values=values, editable=CUSTOMER_FIELDS, locked=_locked_fields(actor))
    return customer


@transaction.atomic
def channel_create(*, actor, values: dict) -> Channel:
    require_permission(actor, "orders.add_channel", _("Your role may not add channels."))
    return record_create(Channel, actor=actor, values=values, editable=CHANNEL_FIELDS)


@transaction.atomic
def channel_update(*, actor, channel_id: int, values: dict) -> Channel:
    require_permission(actor, "orders.change_channel", _("Your role may not change channels."))
    channel = locks.record_for_update(Channel, channel_id)
    record_update(channel, actor=actor, values=values, editable=CHANNEL_FIELDS)
    return channel


def _locked_fields(actor) -> set[str]:
    return set() if actor is None else permissions.customer_fields_locked_for(actor)
