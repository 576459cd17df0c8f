from django.urls import path

from . import views

urlpatterns = [
    path("researchers/<slug:slug>/claim", views.claim, name="claim"),
    path("claims/mine", views.mine, name="claims_mine"),
    path("claims/<int:pk>/withdraw", views.withdraw, name="claims_withdraw"),
    path("claims/<int:pk>/evidence", views.evidence, name="claims_evidence"),
    path("moderation/claims", views.queue, name="claims_queue"),
    path("moderation/claims/<int:pk>", views.decide, name="claims_decide"),
]
