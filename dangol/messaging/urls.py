from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.mark_all_read, name="mark_all_read"),
    path("inbox/<str:message_id>/", views.inbox_item, name="inbox_item"),
    path("o/<str:token>/", views.opt_out, name="opt_out"),
    path("m/<str:public_id>/messages/", views.sent_list, name="sent_list"),
    path("m/<str:public_id>/messages/new/", views.compose, name="compose"),
    path("m/<str:public_id>/messages/<str:message_id>/", views.sent_detail, name="sent"),
]
