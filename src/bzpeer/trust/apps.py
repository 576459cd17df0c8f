from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "bzpeer.trust"
    default_auto_field = "django.db.models.BigAutoField"
