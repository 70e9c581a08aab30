from django.urls import path

from . import views

app_name = "stamps"
urlpatterns = [
    path("m/<str:public_id>/stamps/", views.program, name="program"),
    path("m/<str:public_id>/stamps/end/", views.program_end, name="program_end"),
    path("m/<str:public_id>/stamps/qr/", views.stall_qr, name="stall_qr"),
    path("m/<str:public_id>/stamps/give/", views.give, name="give"),
    path("t/<str:nonce>/", views.scan, name="scan"),
    path("cards/", views.cards, name="cards"),
]
