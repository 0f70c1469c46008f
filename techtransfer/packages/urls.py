from django.urls import path

from techtransfer.packages import views

app_name = "packages"
urlpatterns = [
    path("", views.package_list, name="list"),
    path("new/", views.package_new, name="new"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("<int:pk>/", views.package_detail, name="detail"),
    path("<int:pk>/edit/", views.package_edit, name="edit"),
    path("<int:pk>/items/", views.items_save, name="items"),
    path("<int:pk>/items/add/", views.item_add, name="item_add"),
]
