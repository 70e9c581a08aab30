from django.urls import path

from . import views

app_name = "coupons"
urlpatterns = [
    path("m/<str:public_id>/coupons/", views.campaign_list, name="campaigns"),
    path("m/<str:public_id>/coupons/new/", views.campaign_new, name="campaign_new"),
    path("m/<str:public_id>/coupons/<str:campaign_id>/", views.campaign_detail, name="campaign"),
    path("m/<str:public_id>/coupons/<str:campaign_id>/give/", views.campaign_give, name="campaign_give"),
    path("m/<str:public_id>/coupons/<str:campaign_id>/message/", views.campaign_message, name="campaign_message"),
    path("m/<str:public_id>/coupons/<str:campaign_id>/paper/", views.campaign_paper, name="campaign_paper"),
    path("m/<str:public_id>/coupons/<str:campaign_id>/end/", views.campaign_end, name="campaign_end"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("s/<str:public_id>/stall.webmanifest", views.stall_manifest, name="stall_manifest"),
    path("m/<str:public_id>/stall/", views.stall, name="stall"),
    path("m/<str:public_id>/stall/redeem/", views.stall_redeem, name="stall_redeem"),
    path("m/<str:public_id>/stall/undo/<str:redemption_id>/", views.stall_undo, name="stall_undo"),
    path("m/<str:public_id>/coupon-pin/", views.pin, name="pin"),
    path("m/<str:public_id>/api-keys/", views.api_keys, name="api_keys"),
    path("m/<str:public_id>/api-keys/<str:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("m/<str:public_id>/signing-key/rotate/", views.signing_key_rotate, name="signing_key_rotate"),
    path("s/<str:public_id>/coupons/", views.store_coupons, name="store_coupons"),
    path("coupons/<str:campaign_id>/claim/", views.claim, name="claim"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/<str:coupon_id>/", views.wallet_coupon, name="wallet_coupon"),
    path("wallet/<str:coupon_id>/use/", views.wallet_use, name="wallet_use"),
]
