from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangol.lib.refusals import refusals_shown
from dangol.payments.services import checkout_url

from . import forms
from .access import (
    own_donation,
    reported_item,
    require_moderator,
    require_reviewer,
    seen_donation,
    stewarded_box,
    story_shown,
    team_box,
    visible_box,
    visible_comment,
    visible_proposal,
)
from .models import (
    Comment,
    Donation,
    DonationStatus,
    Fundraiser,
    Payout,
    PayoutPlan,
    Proposal,
    ProposalStatus,
)
from .receipts import donation_receipt_pdf
from .roles import is_moderator, is_reviewer
from .services import donation_cancel as cancel_donation
from .services import donation_confirm, donation_fail, donation_refund, donation_start


def _form_errors(form):
    """A form's errors as one flash line, for forms posted from another page."""
    return " ".join(error for errors in form.errors.values() for error in errors)


def index(request):
    now = timezone.now()
    context = {
        "boxes": Fundraiser.objects.public().taking_gifts(now=now).select_related("proposal"),
        "proposals": Proposal.objects.public().agreeing(now=now),
        "in_review": Proposal.objects.public().filter(status=ProposalStatus.REVIEW),
        "finished": Fundraiser.objects.public().finished().select_related("proposal")[:20],
        "now": now,
    }
    return render(request, "together/index.html", context)


@login_required
def propose(request):
    form = forms.ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form):
            proposal = Proposal.propose(proposer=request.user, **form.cleaned_data)
            messages.success(request, _("제안을 올렸습니다. 이웃에게 알려 동의를 모아 보세요."))
            return redirect(proposal)
    return render(request, "together/propose.html", {"form": form})


def proposal_detail(request, public_id):
    proposal = visible_proposal(request.user, public_id)
    if proposal.status == ProposalStatus.APPROVED:
        return redirect(proposal.box)
    context = {
        "proposal": proposal,
        "shown_status": proposal.shown_status(),
        "has_agreed": proposal.has_agreed(request.user),
        "is_proposer": proposal.is_proposer(request.user),
        "can_see": story_shown(request.user, proposal),
        "review": getattr(proposal, "review", None),
        "is_reviewer": is_reviewer(request.user),
    }
    return render(request, "together/proposal.html", context)


@login_required
@require_POST
def agree(request, public_id):
    proposal = visible_proposal(request.user, public_id)
    with refusals_shown(request):
        proposal.agree(user=request.user)
        messages.success(request, _("동의했습니다. 고맙습니다!"))
    return redirect(proposal)


def _report(request, target, back):
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request):
            target.report(by=request.user, **form.cleaned_data)
            messages.success(request, _("신고했습니다. 운영진이 확인하겠습니다."))
        return redirect(back)
    return render(request, "together/report.html", {"form": form, "target": target, "back": back})


@login_required
def proposal_report(request, public_id):
    proposal = visible_proposal(request.user, public_id)
    return _report(request, proposal, proposal.get_absolute_url())


@login_required
def comment_report(request, public_id):
    comment = visible_comment(request.user, public_id)
    return _report(request, comment, comment.box.get_absolute_url())


@login_required
def review_queue(request):
    require_reviewer(request.user)
    context = {
        "waiting": Proposal.objects.in_review(),
        "plans": PayoutPlan.objects.submitted().select_related("box__proposal"),
        "payouts": Fundraiser.objects.awaiting_payout().select_related("proposal"),
        "overdue": Fundraiser.objects.report_overdue().select_related("proposal"),
    }
    return render(request, "together/review_queue.html", context)


@login_required
def review(request, public_id):
    require_reviewer(request.user)
    proposal = visible_proposal(request.user, public_id)
    approve_form = forms.ApproveForm(request.POST if request.POST.get("decision") == "approve" else None)
    reject_form = forms.RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
    form = approve_form if approve_form.is_bound else reject_form
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form):
            if form is approve_form:
                proposal.approve(by=request.user, notes=form.cleaned_data)
                messages.success(request, _("승인했습니다. 모금함이 열렸습니다."))
            else:
                proposal.reject(by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("반려했습니다. 제안한 분께 사유가 보입니다."))
            return redirect("together:review_queue")
    context = {"proposal": proposal, "approve_form": approve_form, "reject_form": reject_form}
    return render(request, "together/review.html", context)


def box_detail(request, public_id):
    box = visible_box(request.user, public_id)
    now = timezone.now()
    counts = box.participant_counts()
    context = {
        "box": box,
        "proposal": box.proposal,
        "can_see": story_shown(request.user, box.proposal),
        "shown_status": box.shown_status(now),
        "is_open": box.is_open(now),
        "days_left": box.days_left(now),
        "overdue": box.report_overdue(now),
        "donor_count": box.donor_count(),
        "participant_count": counts["people"],
        "cheer_count": counts["cheers"],
        "sponsors": box.sponsors.all(),
        "donations": box.donations.settled().order_by("-paid_at")[:10],
        "comments": box.comments.public()[:50],
        "entries": box.ledger_lines().order_by("-seq")[:50],
        "plan": PayoutPlan.objects.filter(box=box).first(),
        "payout": Payout.objects.filter(box=box).first(),
        "is_team": box.is_team(request.user),
        "is_reviewer": is_reviewer(request.user),
        "comment_form": forms.CommentForm(),
        "share_url": request.build_absolute_uri(box.get_absolute_url()),
        "ledger_url": _ledger_url(box.book),
    }
    return render(request, "together/box.html", context)


def _ledger_url(book):
    """The ledger app's page for a book, when it is installed with its pages."""
    try:
        return reverse("ledger:book", kwargs={"book": book})
    except NoReverseMatch:
        return None


@login_required
def donate(request, public_id):
    box = visible_box(request.user, public_id)
    form = forms.DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form):
            donation = donation_start(box=box, donor=request.user, **form.cleaned_data)
            return redirect(checkout_url(donation.payment))
    return render(request, "together/donate.html", {"box": box, "form": form, "is_open": box.is_open()})


@login_required
@require_POST
def participate(request, public_id):
    box = visible_box(request.user, public_id)
    with refusals_shown(request):
        participation = box.participate(user=request.user, action=request.POST.get("action", ""))
        if participation.amount:
            messages.success(
                request,
                _("{sponsor}에서 {amount:,}원을 대신 기부했습니다. 고맙습니다!").format(
                    sponsor=participation.sponsor.name, amount=participation.amount
                ),
            )
        else:
            messages.success(request, _("참여해 주셔서 고맙습니다!"))
    return redirect(box)


@login_required
@require_POST
def comment(request, public_id):
    box = visible_box(request.user, public_id)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(box)
    with refusals_shown(request):
        box.post_comment(user=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("댓글을 남겼습니다."))
    return redirect(box)


@login_required
def extend(request, public_id):
    box = stewarded_box(request.user, public_id)
    form = forms.ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form):
            box.extend(until=form.cleaned_data["until"], by=request.user)
            messages.success(request, _("마감일을 늦췄습니다."))
            return redirect(box)
    return render(request, "together/extend.html", {"box": box, "form": form})


@login_required
def plan(request, public_id):
    box = stewarded_box(request.user, public_id)
    current = PayoutPlan.objects.filter(box=box).first()
    if box.is_team(request.user):
        form = forms.PlanForm(request.POST or None, initial={"body": current.body if current else ""})
    elif current is not None:
        form = forms.PlanDecisionForm(request.POST or None)
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_shown(request, form=form):
            if isinstance(form, forms.PlanForm):
                PayoutPlan.submit(box=box, by=request.user, body=data["body"])
            else:
                current.decide(by=request.user, approve=data["decision"] == "approve", note=data["note"])
            messages.success(request, _("저장했습니다."))
            return redirect(box)
    return render(request, "together/plan.html", {"box": box, "plan": current, "form": form})


@login_required
def payout(request, public_id):
    require_reviewer(request.user)
    box = visible_box(request.user, public_id)
    form = forms.PayoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form):
            Payout.record(box=box, by=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("모금액 전달을 기록했습니다."))
            return redirect(box)
    return render(request, "together/payout.html", {"box": box, "form": form})


def usage_report(request, public_id):
    box = visible_box(request.user, public_id)
    report = getattr(box, "usage_report", None)
    if report is None or (report.submitted_at is None and not box.is_team(request.user)):
        raise Http404
    editing = report.submitted_at is None
    expense_form = forms.ExpenseForm(request.POST if "add_expense" in request.POST else None, request.FILES or None)
    report_form = forms.UsageReportForm(request.POST if "submit_report" in request.POST else None)
    form = expense_form if expense_form.is_bound else report_form
    if editing and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_shown(request, form=form):
            if form is expense_form:
                report.add_expense(by=request.user, **data)
            else:
                report.submit(by=request.user, body=data["body"])
                messages.success(request, _("모금후기를 올렸습니다. 고맙습니다."))
            return redirect("together:usage_report", public_id=box.public_id)
    context = {
        "box": box,
        "report": report,
        "editing": editing,
        "expense_form": expense_form,
        "report_form": report_form,
    }
    return render(request, "together/usage_report.html", context)


@login_required
@require_POST
def expense_delete(request, public_id, expense_id):
    box = team_box(request.user, public_id)
    report = getattr(box, "usage_report", None)
    if report is None:
        raise Http404
    expense = get_object_or_404(report.expenses, public_id=expense_id)
    with refusals_shown(request):
        report.remove_expense(by=request.user, expense=expense)
    return redirect("together:usage_report", public_id=box.public_id)


@login_required
def donation_detail(request, public_id):
    donation = seen_donation(request.user, public_id)
    context = {
        "donation": donation,
        "box": donation.box,
        "refund_form": forms.RefundForm() if is_moderator(request.user) else None,
        "box_open": donation.box.is_open(),
    }
    return render(request, "together/donation.html", context)


@login_required
def donation_paid(request, public_id):
    donation = own_donation(request.user, public_id)
    params = request.GET
    with refusals_shown(request):
        donation_confirm(
            donation=donation,
            payment_key=params.get("paymentKey", ""),
            order_id=params.get("orderId", ""),
            amount=params.get("amount", ""),
        )
        messages.success(request, _("기부해 주셔서 고맙습니다!"))
    return redirect(donation)


@login_required
def donation_failed(request, public_id):
    donation = own_donation(request.user, public_id)
    donation_fail(donation=donation, code=request.GET.get("code", ""), message=request.GET.get("message", ""))
    messages.info(request, _("결제하지 않았습니다. 기부는 기록되지 않았습니다."))
    return redirect(donation.box)


@login_required
@require_POST
def donation_cancel(request, public_id):
    """The donor takes their whole gift back while the box is still open."""
    donation = own_donation(request.user, public_id)
    with refusals_shown(request):
        cancel_donation(donation=donation, by=request.user)
        messages.success(request, _("기부를 취소했습니다. 결제한 곳으로 환불됩니다."))
    return redirect(donation)


@login_required
@require_POST
def donation_refund_view(request, public_id):
    require_moderator(request.user)
    donation = seen_donation(request.user, public_id)
    form = forms.RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(donation)
    with refusals_shown(request):
        donation_refund(donation=donation, by=request.user, **form.cleaned_data)
        messages.success(request, _("환불했습니다."))
    return redirect(donation)


@login_required
def donation_receipt(request, public_id):
    donation = own_donation(request.user, public_id)
    if not donation.is_settled and donation.status != DonationStatus.REFUNDED:
        raise Http404
    data = donation_receipt_pdf(donation, large_print=request.COOKIES.get("large_text") == "1")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{donation.public_id}.pdf"'
    return response


@login_required
def moderation(request):
    require_moderator(request.user)
    if request.method == "POST":
        target = reported_item(request.user, request.POST.get("kind"), request.POST.get("id"))
        with refusals_shown(request):
            target.moderate(by=request.user, keep=request.POST.get("decision") == "keep")
            messages.success(request, _("처리했습니다."))
        return redirect("together:moderation")
    context = {
        "proposals": Proposal.objects.awaiting_moderation().prefetch_related("reports"),
        "comments": Comment.objects.awaiting_moderation().select_related("box__proposal").prefetch_related("reports"),
    }
    return render(request, "together/moderation.html", context)


@login_required
def mine(request):
    context = {
        "proposals": Proposal.objects.filter(proposer=request.user).select_related("box"),
        "donations": Donation.objects.filter(donor=request.user).started().select_related("box__proposal"),
    }
    return render(request, "together/mine.html", context)
