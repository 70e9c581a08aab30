from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("reports/stores/<str:public_id>/", views.store_report, name="store"),
    path("reports/messages/<str:message_id>/", views.message_report, name="message"),
    path("reports/moderation/", views.moderation, name="moderation"),
]
