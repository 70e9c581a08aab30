from django.urls import path

from . import views

app_name = "markets"
urlpatterns = [
    path("markets/", views.market_list, name="list"),
    path("markets/<str:public_id>/", views.detail, name="detail"),
    path("markets/<str:public_id>/manage/", views.manage, name="manage"),
]
