from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "bzpeer.search"

    def ready(self) -> None:
        from bzpeer.catalog import news

        from .index import refresh_authors, sync

        news.listen(sync)
        news.listen_authors(refresh_authors)
