from django.apps import AppConfig


class TechnicianConfig(AppConfig):
    name = "doorstep.technician"
    verbose_name = "Technician app"
