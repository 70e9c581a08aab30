from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("pay/test/<str:order_id>/", views.test_checkout, name="test_checkout"),
    path("pay/toss/<str:order_id>/", views.toss_checkout, name="toss_checkout"),
]
