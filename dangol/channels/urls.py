from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("s/<str:public_id>/", views.store_page, name="store"),
    path("s/<str:public_id>/follow/", views.follow, name="follow"),
    path("s/<str:public_id>/consent/", views.consent, name="consent"),
    path("s/<str:public_id>/unfollow/", views.unfollow, name="unfollow"),
    path("my/stores/", views.my_stores, name="my_stores"),
    path("m/", views.merchant_home, name="merchant_home"),
    path("m/<str:public_id>/", views.dashboard, name="dashboard"),
    path("m/<str:public_id>/profile/", views.profile, name="profile"),
    path("m/<str:public_id>/qr.<str:fmt>", views.qr_code, name="qr"),
    path("m/<str:public_id>/followers/", views.followers, name="followers"),
]
