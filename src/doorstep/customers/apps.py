from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "doorstep.customers"
    verbose_name = "Customers"
