from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Orderdesk"
admin.site.site_title = "Orderdesk"
# The order list needs the width more than a second copy of the index's app list.
admin.site.enable_nav_sidebar = False
admin.site.site_url = None  # "/" only leads back here

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("warehouse/", include("orders.warehouse.urls")),  # the warehouse screens
    path("api/", include("config.api")),  # the REST API (README "REST API")
]
