from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "techtransfer.api"
    label = "api"
    verbose_name = "API"
