from django.urls import path

from . import views

app_name = "fund"
urlpatterns = [
    path("fund/", views.report, name="current"),
    path("fund/<str:public_id>/", views.report, name="report"),
    path("fund/programs/<str:public_id>/", views.program_detail, name="program"),
]
