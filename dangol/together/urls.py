from django.urls import path

from . import views

app_name = "together"
urlpatterns = [
    path("together/", views.index, name="index"),
    path("together/propose/", views.propose, name="propose"),
    path("together/mine/", views.mine, name="mine"),
    path("together/review/", views.review_queue, name="review_queue"),
    path("together/moderation/", views.moderation, name="moderation"),
    path("together/p/<str:public_id>/", views.proposal_detail, name="proposal"),
    path("together/p/<str:public_id>/agree/", views.agree, name="agree"),
    path("together/p/<str:public_id>/report/", views.proposal_report, name="proposal_report"),
    path("together/p/<str:public_id>/review/", views.review, name="review"),
    path("together/b/<str:public_id>/", views.box_detail, name="box"),
    path("together/b/<str:public_id>/donate/", views.donate, name="donate"),
    path("together/b/<str:public_id>/participate/", views.participate, name="participate"),
    path("together/b/<str:public_id>/comments/", views.comment, name="comment"),
    path("together/b/<str:public_id>/extend/", views.extend, name="extend"),
    path("together/b/<str:public_id>/plan/", views.plan, name="plan"),
    path("together/b/<str:public_id>/payout/", views.payout, name="payout"),
    path("together/b/<str:public_id>/usage-report/", views.usage_report, name="usage_report"),
    path(
        "together/b/<str:public_id>/usage-report/expenses/<str:expense_id>/delete/",
        views.expense_delete,
        name="expense_delete",
    ),
    path("together/c/<str:public_id>/report/", views.comment_report, name="comment_report"),
    path("together/d/<str:public_id>/", views.donation_detail, name="donation"),
    path("together/d/<str:public_id>/paid/", views.donation_paid, name="donation_paid"),
    path("together/d/<str:public_id>/failed/", views.donation_failed, name="donation_failed"),
    path("together/d/<str:public_id>/cancel/", views.donation_cancel, name="donation_cancel"),
    path("together/d/<str:public_id>/refund/", views.donation_refund_view, name="donation_refund"),
    path("together/d/<str:public_id>/receipt.pdf", views.donation_receipt, name="donation_receipt"),
]
