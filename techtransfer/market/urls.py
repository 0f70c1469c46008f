from django.urls import path

from techtransfer.market import views

app_name = "market"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("new/", views.demand_new, name="new"),
    path("mine/", views.demand_mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("feed/", views.feed, name="feed"),
    path("feed/page/", views.feed_page, name="feed_page"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/edit/", views.demand_edit, name="edit"),
]
