"""django-fsm-2 asked in one place: may this actor run this transition on this
record now, and if not, why not.

django-fsm-2 offers ``can_proceed`` (state and conditions) and
``has_transition_perm`` (state, conditions and permission together), but a
user refused must be told which of the three stopped them, and a button is
greyed with the conditions' own messages. That needs the transition's
permission and conditions one by one, which django-fsm-2 exposes only through
the bound method's private ``_django_fsm``: this module is the only code that
touches it. Every model with an FSM ``status`` field (orders, tickets, refunds,
purchase requests) is checked here."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django_fsm import can_proceed

from .errors import DomainError, NotPermitted


def condition(message, *, asked_for=False, hides_transition=False):
    """A transition condition carrying the message a user reads when it stops the transition.

    ``asked_for``: the step itself asks the user for, or finds out, what this
    checks (a tracking number to ship; the warehouse and its stock, which
    allocation chooses, or else flags the order "out of stock" with the missing
    SKUs), so it does not grey out the button that opens it.
    ``hides_transition``: where unmet, the transition does not apply to the
    record at all, so it gets no (greyed) button."""

    def decorate(check):
        check.message = message
        check.asked_for = asked_for
        check.hides_transition = hides_transition
        return check

    return decorate


@dataclass(frozen=True)
class Refusals:
    """How one kind of record words a refused transition. Each message is
    formatted with the caller's parameters (``unmet`` also with ``reasons``);
    ``unmet=None``: unmet conditions are worded as the wrong state."""

    wrong_state: str
    not_permitted: str
    unmet: str | None = None


def _transition_meta(instance, name: str):
    method = getattr(instance, name)
    return method, method._django_fsm


def unmet_conditions(instance, name: str) -> list[str]:
    """Messages of the conditions that stop transition ``name`` from the record's state now."""
    method, meta = _transition_meta(instance, name)
    transition = meta.get_transition(meta.field.get_state(instance))
    if transition is None:
        return []
    return [str(check.message) for check in transition.conditions if not check(instance)]


def may_run(instance, name: str, user) -> bool:
    """State, conditions and the user's permission all allow ``name`` now (e.g. to show its button)."""
    method, meta = _transition_meta(instance, name)
    return can_proceed(method) and meta.has_transition_perm(instance, meta.field.get_state(instance), user)


def check_transition(
    instance,
    name: str,
    actor,
    *,
    refusals: Refusals,
    params: Callable[[], dict],
    check_permission: bool = True,
    check_conditions: bool = True,
) -> None:
    """Raise ``DomainError`` (wrong state, unmet conditions) or ``NotPermitted``
    (the actor's role) unless ``actor`` may run ``name`` on the record now.
    ``actor=None`` is the system (an import, a task): no permission to check.
    ``params`` is called only when refusing: translating labels on every
    check cost more than a query on the allocation path."""
    method, meta = _transition_meta(instance, name)
    if not can_proceed(method, check_conditions=False):
        raise DomainError(refusals.wrong_state % params())
    if check_permission and actor is not None and not meta.has_transition_perm(instance, meta.field.get_state(instance), actor):
        raise NotPermitted(refusals.not_permitted % params())
    if check_conditions:
        failed = unmet_conditions(instance, name)
        if failed:
            if refusals.unmet is None:
                raise DomainError(refusals.wrong_state % params())
            raise DomainError(refusals.unmet % {**params(), "reasons": " ".join(failed)})


@dataclass
class TransitionOption:
    name: str
    blocked_by: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return not self.blocked_by


def transition_options(instance, user) -> list[TransitionOption]:
    """The transitions this user's role may run from the record's status, each
    with what stops it now (empty when it can run); the buttons of a record's page."""
    options = []
    for transition in instance.get_all_status_transitions():
        if transition.source != instance.status or not transition.has_perm(instance, user):
            continue
        if any(check.hides_transition and not check(instance) for check in transition.conditions):
            continue  # e.g. "approve on terms" for a buyer who has no terms: not a step of this order at all
        blocked_by = [str(check.message) for check in transition.conditions if not check.asked_for and not check(instance)]
        options.append(TransitionOption(transition.name, blocked_by))
    return options
