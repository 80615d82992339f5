from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django 6.1's label for an empty choice (BLANK_CHOICE_LABEL) is missing from its
# own zh_Hans catalogue; named here, `make messages` keeps it in ours.
gettext_noop("- Select an option -")


class CoreConfig(AppConfig):
    """The toolbox every app stands on: it imports none of them."""

    name = "core"
    verbose_name = _("Core")
