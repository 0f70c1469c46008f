"""Pages of the technology-market statistics, mounted at /stats/."""

from django.urls import path

from techtransfer.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("map/", views.transaction_map, name="map"),
    path("contracts/", views.contracts, name="contracts"),
    path("live/", views.live, name="live"),
    path("live/data/", views.live_data, name="live_data"),
    path("geo/<slug:name>.json", views.geo, name="geo"),
]
