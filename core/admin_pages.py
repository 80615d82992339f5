"""The admin's pages beyond Django's own, for every app: a page with one form
(a step that asks for input, a bulk action's reason, an upload, an export),
the buttons of what a user may do to one object now, and the view that runs
them. Apps above register the actions of their objects; this knows no domain."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext

from core.errors import DomainError

FORM_PAGE_TEMPLATE = "admin/core/form_page.html"
# A bulk action's page lists this many of the selected rows; the action applies to all of them.
SHOWN_ROWS = 200


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write (ledgers, money records, tickets): shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


# --- a page with one form -------------------------------------------------------------------------


def changelist_url(modeladmin) -> str:
    return reverse(f"admin:{modeladmin.opts.app_label}_{modeladmin.opts.model_name}_changelist")


def paragraphs(text) -> list:
    """One paragraph (a string, lazy or not) or several."""
    if not text:
        return []
    if isinstance(text, (str, Promise)):
        return [text]
    return list(text)


def form_page(
    modeladmin,
    request,
    form,
    *,
    title,
    submit_label,
    back_url: str | None = None,
    obj=None,
    crumb=None,
    intro="",
    problems=(),
    notes=(),
    method: str = "post",
    listed=(),
    more_listed: bool = False,
    hidden=(),
    template: str = FORM_PAGE_TEMPLATE,
    extra_context: dict | None = None,
) -> TemplateResponse:
    """The stock admin look around one form: breadcrumbs (… › the list › ``obj`` › ``crumb``, by default the title),
    the title, ``intro``, the refusal's ``problems``, the form with its errors, ``notes``
    and the submit row (``intro`` and ``notes``: one paragraph or several). ``listed`` names the rows a bulk action applies to; ``hidden``
    are (name, value) pairs posted back with the form. A page that shows more (a help
    box beside an upload) extends the template's ``after_form`` block: ``template``
    and ``extra_context``."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": title,
        "form": form,
        "submit_label": submit_label,
        "back_url": back_url or changelist_url(modeladmin),
        "changelist_url": changelist_url(modeladmin),
        "object": obj,
        "crumb": crumb or title,
        "intro": paragraphs(intro),
        "problems": list(problems),
        "notes": paragraphs(notes),
        "method": method,
        "listed": list(listed),
        "more_listed": more_listed,
        "hidden": list(hidden),
        **(extra_context or {}),
    }
    return TemplateResponse(request, template, context)


def bulk_action_page(
    modeladmin, request, queryset, form, *, title, submit_label, intro="", notes=(), listed=None
) -> TemplateResponse:
    """The intermediate page of a list action that needs input (a reason, a file format):
    it names the selected rows (or what the action makes of them: ``listed``) and posts
    them back with the action."""
    count = queryset.count()
    if listed is None:
        listed = [str(row) for row in queryset.order_by("pk")[:SHOWN_ROWS]]
    selected = [("_selected_action", pk) for pk in queryset.values_list("pk", flat=True)]
    return form_page(
        modeladmin,
        request,
        form,
        title=title,
        submit_label=submit_label,
        intro=[ngettext("%(count)d row selected.", "%(count)d rows selected.", count) % {"count": count}, *paragraphs(intro)],
        notes=notes,
        listed=listed,
        more_listed=len(listed) >= SHOWN_ROWS and count > SHOWN_ROWS,
        hidden=[*selected, ("action", request.POST.get("action", ""))],
    )


def run_form_page(modeladmin, request, form_class, *, run, title, back_url, submit_label=None, obj=None, intro="", form_kwargs=None):
    """GET shows the form; POST runs ``run(cleaned_data)`` (one service call, which returns
    the message to show) and goes back to ``back_url``, or shows the refusal with the input kept."""
    form_kwargs = form_kwargs or {}
    problems = []
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                message = run(form.cleaned_data)
            except DomainError as error:
                problems = getattr(error, "problems", None) or [str(error)]
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(back_url)
    else:
        form = form_class(**form_kwargs)
    return form_page(
        modeladmin,
        request,
        form,
        title=title,
        submit_label=submit_label or title,
        back_url=back_url,
        obj=obj,
        intro=intro,
        problems=problems,
    )


# --- what a user may do to one object, from its page -----------------------------------------------


@dataclass(frozen=True)
class ObjectAction:
    """One step on one object: a service call, after a form when it needs input."""

    label: str
    run: Callable  # (object_id, actor, arguments: dict) -> object
    form_class: type[forms.Form] | None = None
    # The form is built for this object (its lines, its amounts): form_class(data, **{form_object_kwarg: obj}).
    form_object_kwarg: str = ""
    # Whether the page offers it, for an action that is not one of the object's transitions: (obj, user) -> bool.
    offered: Callable | None = None
    danger: bool = False
    # What the user reads once it is done, when "<object>: <label> — done." says too little
    # (the number of what it created, a link to it): (obj, result of run) -> str or safe HTML.
    done_message: Callable | None = None
    # What the form page says above the form, for a decision that needs facts the form
    # does not hold: (obj, user) -> one paragraph or several.
    intro: Callable | None = None

    def build_form(self, obj, data=None) -> forms.Form | None:
        if self.form_class is None:
            return None
        if self.form_object_kwarg:
            return self.form_class(data, **{self.form_object_kwarg: obj})
        return self.form_class(data)


def service_arguments(form: forms.Form | None) -> dict:
    """What a valid form gives the service: its ``service_arguments()`` when the form
    shapes them (per-line quantities, say), else its cleaned data."""
    if form is None:
        return {}
    if hasattr(form, "service_arguments"):
        return form.service_arguments()
    return dict(form.cleaned_data)


class ActionRegistry:
    """The actions of one kind of object, by name. The app owning the object registers
    its own; an app above it registers what it adds (a payment, a ticket) when its admin
    is imported, so the owner's admin imports none of them."""

    def __init__(self, actions: dict[str, ObjectAction] | None = None):
        self._actions: dict[str, ObjectAction] = dict(actions or {})

    def register(self, name: str, action: ObjectAction) -> None:
        if name in self._actions:
            raise ImproperlyConfigured(f"Two admin actions are named {name!r}.")
        self._actions[name] = action

    def __getitem__(self, name: str) -> ObjectAction:
        return self._actions[name]

    def __contains__(self, name: str) -> bool:
        return name in self._actions

    def offered_names(self, obj, user) -> list[str]:
        """Actions with an ``offered`` test that says yes, in the order they were registered."""
        return [name for name, action in self._actions.items() if action.offered is not None and action.offered(obj, user)]


@dataclass
class ActionButton:
    name: str
    label: str
    blocked_by: list[str] = field(default_factory=list)  # why it cannot run now: shown greyed out
    needs_input: bool = False  # a link to its form page rather than a button posting straight away
    danger: bool = False


def action_button(name: str, action: ObjectAction, blocked_by=()) -> ActionButton:
    return ActionButton(name, str(action.label), list(blocked_by), action.form_class is not None, action.danger)


class ObjectActionsMixin:
    """For a ModelAdmin: its change page shows ``object_buttons`` (the template
    admin/core/object_actions.html, placed outside the change form: a browser drops a
    <form> nested in another) and ``<pk>/do/<action>/`` runs one of ``object_actions``."""

    object_actions: ActionRegistry

    def object_buttons(self, obj, user) -> list[ActionButton]:
        raise NotImplementedError

    def action_refused(self, request, obj, name: str, action: ObjectAction) -> str:
        """The message for a form page asked for a step the user may not take now."""
        return _("%(object)s: “%(action)s” is not one of the steps you can take now.") % {
            "object": obj,
            "action": action.label,
        }

    def object_action_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_action"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/do/<str:action>/",
                self.admin_site.admin_view(self.object_action_view),
                name=self.object_action_url_name(),
            ),
            *super().get_urls(),
        ]

    def object_page_context(self, request, obj) -> dict:
        """What the change page needs to show the buttons (include admin/core/object_actions.html)."""
        return {
            "object_buttons": self.object_buttons(obj, request.user),
            "object_action_url": f"admin:{self.object_action_url_name()}",
        }

    def object_action_view(self, request, object_id, action):
        """Run one action on one object: POST runs it (after its form, if it has one)."""
        obj = self.get_object(request, object_id)
        if obj is None or action not in self.object_actions:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        spec = self.object_actions[action]
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if spec.form_class is not None and action not in {button.name for button in self.object_buttons(obj, request.user)}:
            # A form may show amounts (a payment's, a refund's): only for a step this user may take now.
            self.message_user(request, self.action_refused(request, obj, action, spec), messages.ERROR)
            return HttpResponseRedirect(change_url)
        posted = request.method == "POST"
        form = spec.build_form(obj, request.POST if posted and "apply" in request.POST else None)
        if posted and (form is None or form.is_valid()):
            try:
                result = spec.run(obj.pk, request.user, service_arguments(form))
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
                if form is None:
                    return HttpResponseRedirect(change_url)
            else:
                if spec.done_message is not None:
                    self.message_user(request, spec.done_message(obj, result))
                else:
                    self.message_user(request, _("%(object)s: %(action)s — done.") % {"object": obj, "action": spec.label})
                return HttpResponseRedirect(change_url)
        if form is None:
            return HttpResponseRedirect(change_url)
        return form_page(
            self,
            request,
            form,
            title=f"{obj} — {spec.label}",
            submit_label=spec.label,
            back_url=change_url,
            obj=obj,
            crumb=spec.label,
            intro=spec.intro(obj, request.user) if spec.intro is not None else "",
        )
