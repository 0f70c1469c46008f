"""Routes of this app under /api/v1/ (included by techtransfer/api/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
