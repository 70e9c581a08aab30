from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("push/sw.js", views.service_worker, name="service_worker"),
    path("me/channels/", views.channels, name="channels"),
    path("m/<str:public_id>/regulars/by-sms/", views.stall_signup, name="stall_signup"),
    path("m/<str:public_id>/regulars/by-sms/<str:signup_id>/", views.stall_confirm, name="stall_confirm"),
    path("m/<str:public_id>/messages/<str:message_id>/reach/", views.reach, name="reach"),
]
