from django.contrib import admin

from .models import AuthorCorrection


@admin.register(AuthorCorrection)
class AuthorCorrectionAdmin(admin.ModelAdmin):
    """Corrections are made and undone through ``bzpeer authors`` (which keeps
    the constraints consistent); the admin shows who did what, when and why."""

    list_display = ("id", "kind", "author", "target", "actor", "reason", "created_at", "undone_at")
    list_filter = ("kind", ("undone_at", admin.EmptyFieldListFilter))
    search_fields = ("reason", "actor", "author__display_name")
    readonly_fields = [f.name for f in AuthorCorrection._meta.fields]

    def has_add_permission(self, request: object) -> bool:  # type: ignore[override]
        return False
