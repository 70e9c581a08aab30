from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangol.ledger.models import Entry
from dangol.payments.services import checkout_url

from . import forms
from .models import (
    BoxStatus,
    Comment,
    Donation,
    DonationStatus,
    Fundraiser,
    Moderation,
    Payout,
    PayoutPlan,
    PlanStatus,
    Proposal,
    ProposalStatus,
    Refused,
)
from .receipts import donation_receipt_pdf
from .roles import is_moderator, is_reviewer
from .services import donation_confirm, donation_fail, donation_refund, donation_start


# Access helpers: find the object and check who may see it; 404 for everyone else.
def _form_errors(form):
    """A form's errors as one flash line, for forms posted from another page."""
    return " ".join(error for errors in form.errors.values() for error in errors)


def _proposal(request, public_id):
    proposal = get_object_or_404(Proposal.objects.select_related("proposer"), public_id=public_id)
    if proposal.moderation == Moderation.REMOVED and not (
        proposal.is_proposer(request.user) or is_moderator(request.user)
    ):
        raise Http404
    return proposal


def _box(request, public_id):
    box = get_object_or_404(Fundraiser.objects.select_related("proposal__proposer"), public_id=public_id)
    _proposal(request, box.proposal.public_id)
    return box


def _team_box(request, public_id):
    box = _box(request, public_id)
    if not box.is_team(request.user):
        raise Http404
    return box


def _reviewer_only(request):
    if not is_reviewer(request.user):
        raise Http404


def _own_donation(request, public_id, *, staff_too=False):
    donation = get_object_or_404(Donation.objects.select_related("box__proposal", "payment"), public_id=public_id)
    if donation.donor_id != request.user.pk and not (staff_too and is_moderator(request.user)):
        raise Http404
    return donation


def index(request):
    now = timezone.now()
    boxes = Fundraiser.objects.public().filter(status=BoxStatus.OPEN, ends_at__gt=now).select_related("proposal")
    proposals = Proposal.objects.public().agreeing(now=now)
    in_review = Proposal.objects.public().filter(status=ProposalStatus.REVIEW)
    finished = Fundraiser.objects.public().exclude(status=BoxStatus.OPEN).select_related("proposal")[:20]
    context = {"boxes": boxes, "proposals": proposals, "in_review": in_review, "finished": finished, "now": now}
    return render(request, "together/index.html", context)


@login_required
def propose(request):
    form = forms.ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = Proposal.propose(proposer=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("제안을 올렸습니다. 이웃에게 알려 동의를 모아 보세요."))
            return redirect(proposal)
    return render(request, "together/propose.html", {"form": form})


def proposal_detail(request, public_id):
    proposal = _proposal(request, public_id)
    if proposal.status == ProposalStatus.APPROVED:
        return redirect(proposal.box)
    context = {
        "proposal": proposal,
        "shown_status": proposal.shown_status(),
        "has_agreed": proposal.has_agreed(request.user),
        "is_proposer": proposal.is_proposer(request.user),
        "can_see": proposal.is_public or proposal.is_proposer(request.user) or is_moderator(request.user),
        "review": getattr(proposal, "review", None),
        "is_reviewer": is_reviewer(request.user),
    }
    return render(request, "together/proposal.html", context)


@login_required
@require_POST
def agree(request, public_id):
    proposal = _proposal(request, public_id)
    try:
        proposal.agree(user=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("동의했습니다. 고맙습니다!"))
    return redirect(proposal)


def _report(request, target, back):
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target.report(by=request.user, **form.cleaned_data)
        except Refused as refusal:
            messages.info(request, str(refusal))
        else:
            messages.success(request, _("신고했습니다. 운영진이 확인하겠습니다."))
        return redirect(back)
    return render(request, "together/report.html", {"form": form, "target": target, "back": back})


@login_required
def proposal_report(request, public_id):
    proposal = _proposal(request, public_id)
    return _report(request, proposal, proposal.get_absolute_url())


@login_required
def comment_report(request, public_id):
    comment = get_object_or_404(Comment.objects.select_related("box__proposal"), public_id=public_id)
    box = _box(request, comment.box.public_id)
    if not comment.is_public:
        raise Http404
    return _report(request, comment, box.get_absolute_url())


@login_required
def review_queue(request):
    _reviewer_only(request)
    waiting = Proposal.objects.filter(status=ProposalStatus.REVIEW).order_by("review_started_at")
    plans = PayoutPlan.objects.filter(status=PlanStatus.SUBMITTED).select_related("box__proposal")
    payouts = (
        Fundraiser.objects.filter(status=BoxStatus.CLOSED, plan__status=PlanStatus.APPROVED)
        .select_related("proposal")
        .order_by("ends_at")
    )
    overdue = Fundraiser.objects.report_overdue().select_related("proposal")
    context = {"waiting": waiting, "plans": plans, "payouts": payouts, "overdue": overdue}
    return render(request, "together/review_queue.html", context)


@login_required
def review(request, public_id):
    _reviewer_only(request)
    proposal = _proposal(request, public_id)
    approve_form = forms.ApproveForm(request.POST if request.POST.get("decision") == "approve" else None)
    reject_form = forms.RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
    form = approve_form if approve_form.is_bound else reject_form
    if request.method == "POST" and form.is_valid():
        try:
            if form is approve_form:
                proposal.approve(by=request.user, notes=form.cleaned_data)
                messages.success(request, _("승인했습니다. 모금함이 열렸습니다."))
            else:
                proposal.reject(by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("반려했습니다. 제안한 분께 사유가 보입니다."))
        except ValidationError as error:
            form.apply_errors(error)
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("together:review_queue")
    context = {"proposal": proposal, "approve_form": approve_form, "reject_form": reject_form}
    return render(request, "together/review.html", context)


def box_detail(request, public_id):
    box = _box(request, public_id)
    proposal = box.proposal
    now = timezone.now()
    settled = box.donations.filter(status__in=[DonationStatus.PAID, DonationStatus.PARTIALLY_REFUNDED])
    counts = box.participations.aggregate(
        people=Count("phone_key", distinct=True), cheers=Count("pk", filter=Q(action="cheer"))
    )
    can_see = proposal.is_public or box.is_team(request.user) or is_moderator(request.user)
    context = {
        "box": box,
        "proposal": proposal,
        "can_see": can_see,
        "shown_status": box.shown_status(now),
        "is_open": box.is_open(now),
        "days_left": box.days_left(now),
        "overdue": box.report_overdue(now),
        "donor_count": settled.values("donor").distinct().count(),
        "participant_count": counts["people"],
        "cheer_count": counts["cheers"],
        "sponsors": box.sponsors.all(),
        "donations": settled.order_by("-paid_at")[:10],
        "comments": box.comments.filter(moderation__in=[Moderation.VISIBLE, Moderation.KEPT])[:50],
        "entries": Entry.objects.filter(book__in=[box.book, box.usage_book]).order_by("-seq")[:50],
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
    box = _box(request, public_id)
    form = forms.DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            donation = donation_start(box=box, donor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect(checkout_url(donation.payment))
    return render(request, "together/donate.html", {"box": box, "form": form, "is_open": box.is_open()})


@login_required
@require_POST
def participate(request, public_id):
    box = _box(request, public_id)
    action = request.POST.get("action", "")
    try:
        participation = box.participate(user=request.user, action=action)
    except Refused as refusal:
        messages.info(request, str(refusal))
    else:
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
    box = _box(request, public_id)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            box.post_comment(user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("댓글을 남겼습니다."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(box)


@login_required
def extend(request, public_id):
    box = _box(request, public_id)
    if not (box.is_team(request.user) or is_reviewer(request.user)):
        raise Http404
    form = forms.ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            box.extend(until=form.cleaned_data["until"], by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("마감일을 늦췄습니다."))
            return redirect(box)
    return render(request, "together/extend.html", {"box": box, "form": form})


@login_required
def plan(request, public_id):
    box = _box(request, public_id)
    current = PayoutPlan.objects.filter(box=box).first()
    if box.is_team(request.user):
        form = forms.PlanForm(request.POST or None, initial={"body": current.body if current else ""})
    elif is_reviewer(request.user) and current is not None:
        form = forms.PlanDecisionForm(request.POST or None)
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if isinstance(form, forms.PlanForm):
                PayoutPlan.submit(box=box, by=request.user, body=data["body"])
            else:
                current.decide(by=request.user, approve=data["decision"] == "approve", note=data["note"])
        except ValidationError as error:
            form.apply_errors(error)
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("저장했습니다."))
            return redirect(box)
    return render(request, "together/plan.html", {"box": box, "plan": current, "form": form})


@login_required
def payout(request, public_id):
    _reviewer_only(request)
    box = _box(request, public_id)
    form = forms.PayoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            Payout.record(box=box, by=request.user, note=form.cleaned_data["note"])
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("모금액 전달을 기록했습니다."))
            return redirect(box)
    return render(request, "together/payout.html", {"box": box, "form": form})


def usage_report(request, public_id):
    box = _box(request, public_id)
    report = getattr(box, "usage_report", None)
    if report is None or (report.submitted_at is None and not box.is_team(request.user)):
        raise Http404
    editing = report.submitted_at is None
    expense_form = forms.ExpenseForm(request.POST if "add_expense" in request.POST else None, request.FILES or None)
    report_form = forms.UsageReportForm(request.POST if "submit_report" in request.POST else None)
    form = expense_form if expense_form.is_bound else report_form
    if editing and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form is expense_form:
                report.add_expense(by=request.user, **data)
            else:
                report.submit(by=request.user, body=data["body"])
                messages.success(request, _("모금후기를 올렸습니다. 고맙습니다."))
        except ValidationError as error:
            form.apply_errors(error)
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
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
    box = _team_box(request, public_id)
    report = getattr(box, "usage_report", None)
    if report is None:
        raise Http404
    expense = get_object_or_404(report.expenses, public_id=expense_id)
    try:
        report.remove_expense(by=request.user, expense=expense)
    except Refused as refusal:
        messages.error(request, str(refusal))
    return redirect("together:usage_report", public_id=box.public_id)


@login_required
def donation_detail(request, public_id):
    donation = _own_donation(request, public_id, staff_too=True)
    refund_form = forms.RefundForm() if is_moderator(request.user) else None
    context = {
        "donation": donation,
        "box": donation.box,
        "refund_form": refund_form,
        "box_open": donation.box.is_open(),
    }
    return render(request, "together/donation.html", context)


@login_required
def donation_paid(request, public_id):
    donation = _own_donation(request, public_id)
    params = request.GET
    try:
        donation_confirm(
            donation=donation,
            payment_key=params.get("paymentKey", ""),
            order_id=params.get("orderId", ""),
            amount=params.get("amount", ""),
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("기부해 주셔서 고맙습니다!"))
    return redirect(donation)


@login_required
def donation_failed(request, public_id):
    donation = _own_donation(request, public_id)
    donation_fail(donation=donation, code=request.GET.get("code", ""), message=request.GET.get("message", ""))
    messages.info(request, _("결제하지 않았습니다. 기부는 기록되지 않았습니다."))
    return redirect(donation.box)


@login_required
@require_POST
def donation_cancel(request, public_id):
    """The donor takes their whole gift back while the box is still open."""
    donation = _own_donation(request, public_id)
    try:
        if not donation.box.is_open():
            raise Refused(_("모금이 끝난 뒤에는 직접 취소할 수 없습니다. 운영진에게 문의해 주세요."))
        donation_refund(donation=donation, amount=donation.net_amount, reason="기부자 취소", by=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("기부를 취소했습니다. 결제한 곳으로 환불됩니다."))
    return redirect(donation)


@login_required
@require_POST
def donation_refund_view(request, public_id):
    if not is_moderator(request.user):
        raise Http404
    donation = _own_donation(request, public_id, staff_too=True)
    form = forms.RefundForm(request.POST)
    if form.is_valid():
        try:
            donation_refund(donation=donation, by=request.user, **form.cleaned_data)
        except Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("환불했습니다."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(donation)


@login_required
def donation_receipt(request, public_id):
    donation = _own_donation(request, public_id)
    if not donation.is_settled and donation.status != DonationStatus.REFUNDED:
        raise Http404
    data = donation_receipt_pdf(donation, large_print=request.COOKIES.get("large_text") == "1")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{donation.public_id}.pdf"'
    return response


@login_required
def moderation(request):
    if not is_moderator(request.user):
        raise Http404
    if request.method == "POST":
        kind, target_id = request.POST.get("kind"), request.POST.get("id")
        model = {"proposal": Proposal, "comment": Comment}.get(kind)
        target = get_object_or_404(model, public_id=target_id) if model else None
        if target is None:
            raise Http404
        try:
            target.moderate(by=request.user, keep=request.POST.get("decision") == "keep")
        except Refused as refusal:
            messages.info(request, str(refusal))
        else:
            messages.success(request, _("처리했습니다."))
        return redirect("together:moderation")
    context = {
        "proposals": Proposal.objects.filter(moderation=Moderation.HIDDEN).prefetch_related("reports"),
        "comments": Comment.objects.filter(moderation=Moderation.HIDDEN)
        .select_related("box__proposal")
        .prefetch_related("reports"),
    }
    return render(request, "together/moderation.html", context)


@login_required
def mine(request):
    context = {
        "proposals": Proposal.objects.filter(proposer=request.user).select_related("box"),
        "donations": Donation.objects.filter(donor=request.user)
        .exclude(status=DonationStatus.PENDING)
        .select_related("box__proposal"),
    }
    return render(request, "together/mine.html", context)
