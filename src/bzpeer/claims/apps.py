from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "bzpeer.claims"

    def ready(self) -> None:
        from bzpeer.trust import claims

        from .readers import ClaimTable

        claims.register(ClaimTable())
