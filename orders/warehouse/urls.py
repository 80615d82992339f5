from django.urls import path

from . import views

app_name = "warehouse"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("<slug:warehouse>/queue/", views.QueueView.as_view(), name="queue"),
    path("<slug:warehouse>/waves/", views.WavesView.as_view(), name="waves"),
    path("<slug:warehouse>/pack/", views.PackScanView.as_view(), name="pack_scan"),
    path("<slug:warehouse>/ship/", views.ShipView.as_view(), name="ship"),
    path("<slug:warehouse>/receive/", views.ReceiveListView.as_view(), name="receive_list"),
    path("waves/<str:number>/", views.WaveView.as_view(), name="wave"),
    path("pack/<str:number>/", views.PackView.as_view(), name="pack"),
    path("pack/<str:number>/slip/", views.SlipView.as_view(), name="slip"),
    path("receive/<str:number>/", views.ReceiveView.as_view(), name="receive"),
]
