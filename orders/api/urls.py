from django.urls import include, path

urlpatterns = [
    path("", include("orders.api.intake")),
    path("", include("orders.api.reading")),
    path("", include("orders.api.actions")),
    path("", include("orders.api.events")),
]
