from django.urls import path

from . import views

urlpatterns = [
    path("account/privacy", views.page, name="privacy"),
    path("account/data.json", views.data, name="privacy_data"),
    path("account/delete", views.delete, name="privacy_delete"),
]
