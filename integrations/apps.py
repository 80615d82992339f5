from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """How other systems reach Orderdesk and hear back: API keys, idempotent
    requests, the REST API's common parts, outgoing webhooks. Knows no order:
    the apps above it bring their own endpoints and events."""

    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from .api import schema  # noqa: F401  registers the authentication schemes with drf-spectacular
