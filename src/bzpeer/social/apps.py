from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "bzpeer.social"

    def ready(self) -> None:
        from bzpeer.catalog import followers, news

        from .alerts import queue_alerts
        from .followers import FollowTable

        followers.register(FollowTable())
        news.listen(queue_alerts)
