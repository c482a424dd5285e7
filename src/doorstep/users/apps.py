from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class UsersConfig(AppConfig):
    name = "doorstep.users"
    verbose_name = "Sign-ins"
    default = True

    def ready(self) -> None:
        from doorstep.users import checks  # noqa: F401 - registers the settings check


class BackOfficeConfig(admin_apps.AdminConfig):
    """Django's admin, behind the portal's sign-in and second factor (INSTALLED_APPS)."""

    default = False  # "doorstep.users" is UsersConfig; this one is named in full
    default_site = "doorstep.users.back_office.BackOfficeSite"
