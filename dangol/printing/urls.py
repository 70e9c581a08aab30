from django.urls import path

from . import views

app_name = "printing"
urlpatterns = [
    path("print/s/<str:store_id>/", views.store_page, name="store"),
    path("print/s/<str:store_id>/poster-<str:size>.pdf", views.poster, name="poster"),
    path("print/s/<str:store_id>/guide.pdf", views.guide, name="guide"),
    path("print/s/<str:store_id>/invitation.pdf", views.invitation, name="invitation"),
    path("print/s/<str:store_id>/coupons/<str:campaign_id>.pdf", views.coupon_sheet, name="coupon_sheet"),
    path("print/m/<str:market_id>/", views.market_page, name="market"),
    path("print/m/<str:market_id>/posters-<str:size>.pdf", views.market_posters, name="market_posters"),
]
