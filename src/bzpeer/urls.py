from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from bzpeer.api.v1 import api
from bzpeer.exports import atom
from bzpeer.web import places, search, short_ids, views

# The admin signs in through the site's own login form, so its lockout after
# repeated wrong passwords covers the admin too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("search", search.search_page, name="search"),
    path("search/suggest", search.suggest, name="search_suggest"),
    path("researchers/<slug:slug>", views.profile, name="profile"),
    path("works/<int:pk>", views.work, name="work"),
    path("topics/<int:pk>", views.topic, name="topic"),
    path("institutions/<int:pk>", places.institution, name="institution"),
    path("sources/<int:pk>", places.source, name="source"),
    path("explore", views.explore, name="explore"),
    # the records' ids the API gives (http://<host>/W12), to their pages
    path("W<int:pk>", short_ids.work, name="short_work"),
    path("A<int:pk>", short_ids.author, name="short_author"),
    path("I<int:pk>", short_ids.institution, name="short_institution"),
    path("T<int:pk>", short_ids.topic, name="short_topic"),
    path("S<int:pk>", short_ids.source, name="short_source"),
    path("researchers/<slug:slug>/feed.atom", atom.AuthorWorks(), name="author_atom"),
    path("topics/<int:pk>/feed.atom", atom.TopicWorks(), name="topic_atom"),
    path("institutions/<int:pk>/feed.atom", atom.InstitutionWorks(), name="institution_atom"),
    path("", include("bzpeer.exports.urls")),
    path("", include("bzpeer.claims.urls")),
    path("", include("bzpeer.social.urls")),
    path("", include("bzpeer.accounts.urls")),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "bzpeer.web.views.not_found"
