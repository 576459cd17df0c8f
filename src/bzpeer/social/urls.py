from django.urls import path

from . import views, views_talk

urlpatterns = [
    path("follow/<str:kind>/<int:pk>", views.follow, name="follow"),
    path("researchers/<slug:slug>/followers", views.followers, name="followers"),
    path("researchers/<slug:slug>/fits", views.fits, name="fits"),
    path("researchers/<slug:slug>/invite", views_talk.invite, name="invite"),
    path("following", views.following, name="following"),
    path("feed", views.feed_page, name="feed"),
    path("alerts", views.alert_settings, name="alerts"),
    path("alerts/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("inbox", views_talk.inbox, name="inbox"),
    path("invitations/<int:pk>", views_talk.invitation, name="invitation"),
    path("invitations/<int:pk>/answer", views_talk.answer, name="invitation_answer"),
    path("conversations/<int:pk>", views_talk.conversation, name="conversation"),
    path("conversations/<int:pk>/block", views_talk.block, name="conversation_block"),
    path("report", views_talk.report, name="report"),
    path("moderation/reports", views_talk.report_queue, name="moderation_reports"),
    path("moderation/reports/<int:pk>", views_talk.decide_report, name="moderation_report"),
]
