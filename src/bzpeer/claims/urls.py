from django.urls import path

from . import views, views_moderation, views_owner

urlpatterns = [
    path("researchers/<slug:slug>/claim", views.claim, name="claim"),
    path("researchers/<slug:slug>/edit", views_owner.edit, name="owner_edit"),
    path("researchers/<slug:slug>/fix", views_owner.fix, name="owner_fix"),
    path("researchers/<slug:slug>/suppress", views_owner.suppress, name="suppress"),
    path("corrections/<int:pk>/undo", views_owner.undo, name="correction_undo"),
    path("claims/mine", views.mine, name="claims_mine"),
    path("claims/<int:pk>/withdraw", views.withdraw, name="claims_withdraw"),
    path("claims/<int:pk>/evidence", views.evidence, name="claims_evidence"),
    path("moderation/claims", views.queue, name="claims_queue"),
    path("moderation/claims/<int:pk>", views.decide, name="claims_decide"),
    path("moderation/merges", views_moderation.merges, name="moderation_merges"),
    path("moderation/merges/<int:pk>", views_moderation.decide_merge, name="moderation_merge"),
    path("moderation/suppressions", views_moderation.suppressions, name="moderation_suppressions"),
    path(
        "moderation/suppressions/<int:pk>",
        views_moderation.decide_suppression,
        name="moderation_suppression",
    ),
    path("moderation/log", views_moderation.audit_log, name="moderation_log"),
]
