from django.apps import AppConfig


class Seed003Config(AppConfig):
    name = "seed003"
    default_auto_field = "django.db.models.BigAutoField"
