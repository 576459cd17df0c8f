from django.contrib.sitemaps import views as sitemaps
from django.urls import path, register_converter

from . import views
from .sitemaps import SITEMAPS

register_converter(views.FormatConverter, "export")

urlpatterns = [
    path("works/<int:pk>/cite.<export:fmt>", views.work_export, name="work_export"),
    path(
        "researchers/<slug:slug>/works.<export:fmt>",
        views.profile_export,
        name="profile_export",
    ),
    path("search/works.<export:fmt>", views.search_export, name="search_export"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots, name="robots"),
]
