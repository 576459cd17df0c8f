from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "bzpeer.social"

    def ready(self) -> None:
        from bzpeer.catalog import followers

        from .followers import FollowTable

        followers.register(FollowTable())
