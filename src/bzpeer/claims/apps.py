from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "bzpeer.claims"
