from django.apps import AppConfig


class Seed000Config(AppConfig):
    name = "seed000"
    default_auto_field = "django.db.models.BigAutoField"
