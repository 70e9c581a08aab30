from django.urls import path

from . import views

app_name = "program"
urlpatterns = [
    path("program/", views.home, name="home"),
    path("program/cohorts/new/", views.cohort_new, name="cohort_new"),
    path("program/c/<str:public_id>/", views.cohort, name="cohort"),
    path("program/c/<str:public_id>/export.csv", views.cohort_csv, name="cohort_csv"),
    path("program/c/<str:public_id>/markets/", views.cohort_add_market, name="cohort_add_market"),
    path("program/c/<str:public_id>/tutors/", views.cohort_assign, name="cohort_assign"),
    path("program/c/<str:public_id>/m/<str:market_id>/", views.cohort_market, name="market"),
    path("program/c/<str:public_id>/s/<str:store_id>/", views.cohort_store, name="store"),
    path("program/c/<str:public_id>/s/<str:store_id>/visit/", views.visit_new, name="visit_new"),
    path("program/markets/<str:market_id>/stores/new/", views.store_new, name="store_new"),
    path("program/s/<str:store_id>/invite/", views.invite, name="invite"),
    path("program/s/<str:store_id>/checklist/", views.my_checklist, name="checklist"),
    path("program/join/<str:token>/", views.join, name="join"),
]
