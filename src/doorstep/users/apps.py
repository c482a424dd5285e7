from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "doorstep.users"
    verbose_name = "Sign-ins"
