from django.urls import path

app_name = "achievements"
urlpatterns: list = []
