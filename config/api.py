"""The REST API: version 1's endpoints, each app's own, and the schema with its
browsable pages (Swagger UI, Redoc), whose files we serve ourselves."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

v1 = [
    path("", include("integrations.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("aftersales.api.urls")),
    path("", include("finance.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-swagger"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
