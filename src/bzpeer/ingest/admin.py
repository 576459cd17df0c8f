from django.contrib import admin

from bzpeer.catalog.models import Quarantine

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "source",
        "status",
        "records",
        "new",
        "updated",
        "unchanged",
        "quarantined",
        "seconds",
        "started_at",
        "finished_at",
    )
    list_filter = ("source", "status")
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(Quarantine)
class QuarantineAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "locator", "reason", "seen_at", "resolved_at")
    list_filter = ("source", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("locator", "reason")
    readonly_fields = [f.name for f in Quarantine._meta.fields]
