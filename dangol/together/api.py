"""Together under /api/v1/together: the same model methods and services as the pages."""

import datetime as dt
from contextlib import contextmanager

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from dangol.ledger.models import Entry
from dangol.lib.api import session_auth
from dangol.payments.services import checkout_url

from .models import (
    BoxStatus,
    Comment,
    Donation,
    DonationStatus,
    Fundraiser,
    Moderation,
    Participation,
    ParticipationAction,
    Proposal,
    ProposalStatus,
    Refused,
    ReportReason,
)
from .roles import is_reviewer
from .services import donation_refund, donation_start

router = Router(tags=["together"])


@contextmanager
def _refusals():
    """A rule's refusal becomes {"detail": "..."} with its status (400, 409 for once-only, 503 to retry)."""
    try:
        yield
    except Refused as refusal:
        raise HttpError(refusal.status, str(refusal)) from None


class ProposalIn(Schema):
    title: str
    story: str
    beneficiary: str = Field(description="모금액을 받아 쓰는 단체")
    goal: int = Field(description="목표 금액(원)")
    period_days: int = Field(description="모금 기간(일), 90일까지")
    category: str


class ProposalOut(Schema):
    id: str
    title: str
    story: str
    beneficiary: str
    goal: int
    period_days: int
    category: str
    status: str
    agreement_count: int
    threshold: int
    agree_until: dt.datetime
    box_id: str | None
    rejection_reason: str | None = Field(None, description="반려 사유 (제안한 사람에게만)")


class AgreementOut(Schema):
    proposal_id: str
    agreement_count: int
    status: str


class ApproveIn(Schema):
    public_interest: str = Field(description="공익성")
    credibility: str = Field(description="신뢰성")
    capability: str = Field(description="수행능력")
    specificity: str = Field(description="구체성")


class RejectIn(Schema):
    reason: str


class BoxOut(Schema):
    id: str
    proposal_id: str
    title: str
    beneficiary: str
    goal: int
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    total: int
    direct_total: int
    participation_total: int
    matching_total: int
    percent: int
    donor_count: int
    participant_count: int
    report_due_at: dt.datetime | None
    report_overdue: bool


class DonationIn(Schema):
    amount: int = Field(description="원, 1,000원부터")
    anonymous: bool = False
    message: str = Field("", description="응원 한마디 (300자까지)")


class DonationOut(Schema):
    id: str
    box_id: str
    amount: int
    anonymous: bool
    message: str
    status: str
    refunded_amount: int
    matched_amount: int
    created_at: dt.datetime
    paid_at: dt.datetime | None
    checkout_url: str | None = Field(None, description="결제 대기 중일 때 기부자가 갈 결제 화면")


class ParticipationIn(Schema):
    action: str = Field(description="cheer(응원) 또는 share(공유)")


class ParticipationOut(Schema):
    action: str
    amount: int = Field(description="후원 기관이 대신 기부한 금액 (없으면 0)")
    sponsor: str | None


class CommentIn(Schema):
    body: str


class CommentOut(Schema):
    id: str
    author: str
    body: str
    created_at: dt.datetime


class ReportIn(Schema):
    reason: str = Field(description=", ".join(ReportReason.values))
    detail: str = ""


class BoxEntryOut(Schema):
    seq: int
    book: str
    kind: str
    amount: int
    memo: str
    reference: str
    created_at: dt.datetime
    prev_hash: str
    hash: str


def _proposal_out(proposal, user):
    review = getattr(proposal, "review", None)
    box = getattr(proposal, "box", None)
    shown = proposal.is_public or proposal.is_proposer(user)
    return {
        "id": proposal.public_id,
        "title": proposal.title if shown else "",
        "story": proposal.story if shown else "",
        "beneficiary": proposal.beneficiary,
        "goal": proposal.goal,
        "period_days": proposal.period_days,
        "category": proposal.category,
        "status": proposal.shown_status(),
        "agreement_count": proposal.agreement_count,
        "threshold": proposal.threshold,
        "agree_until": proposal.agree_until,
        "box_id": box.public_id if box else None,
        "rejection_reason": review.reason if review and not review.approved and proposal.is_proposer(user) else None,
    }


def _box_out(box):
    settled = box.donations.filter(status__in=[DonationStatus.PAID, DonationStatus.PARTIALLY_REFUNDED])
    return {
        "id": box.public_id,
        "proposal_id": box.proposal.public_id,
        "title": box.proposal.title if box.proposal.is_public else "",
        "beneficiary": box.proposal.beneficiary,
        "goal": box.goal,
        "status": box.shown_status(),
        "starts_at": box.starts_at,
        "ends_at": box.ends_at,
        "total": box.total,
        "direct_total": box.direct_total,
        "participation_total": box.participation_total,
        "matching_total": box.matching_total,
        "percent": box.percent,
        "donor_count": settled.values("donor").distinct().count(),
        "participant_count": box.participations.aggregate(n=Count("phone_key", distinct=True))["n"],
        "report_due_at": box.report_due_at,
        "report_overdue": box.report_overdue(),
    }


def _donation_out(donation):
    return {
        "id": donation.public_id,
        "box_id": donation.box.public_id,
        "amount": donation.amount,
        "anonymous": donation.anonymous,
        "message": donation.message,
        "status": donation.status,
        "refunded_amount": donation.refunded_amount,
        "matched_amount": donation.matched_amount,
        "created_at": donation.created_at,
        "paid_at": donation.paid_at,
        "checkout_url": checkout_url(donation.payment) if donation.status == DonationStatus.PENDING else None,
    }


def _proposal(request, public_id):
    proposal = get_object_or_404(Proposal, public_id=public_id)
    if proposal.moderation == Moderation.REMOVED and not proposal.is_proposer(request.user):
        raise Http404
    return proposal


def _box(request, public_id):
    box = get_object_or_404(Fundraiser.objects.select_related("proposal"), public_id=public_id)
    _proposal(request, box.proposal.public_id)
    return box


def _own_donation(request, public_id):
    return get_object_or_404(
        Donation.objects.select_related("box__proposal", "payment"), public_id=public_id, donor=request.auth
    )


@router.get("/proposals", response=list[ProposalOut])
def proposals(request, status: ProposalStatus | None = None):
    """Proposals neighbours can see, newest first (default: gathering agreements or in review)."""
    found = Proposal.objects.public().select_related("box", "review")
    found = found.filter(status=status) if status else found.filter(status__in=["agreeing", "review"])
    return [_proposal_out(p, request.user) for p in found[:100]]


@router.post("/proposals", auth=session_auth, response={201: ProposalOut})
def propose(request, payload: ProposalIn):
    proposal = Proposal.propose(proposer=request.auth, **payload.dict())
    return Status(201, _proposal_out(proposal, request.auth))


@router.get("/proposals/{public_id}", response=ProposalOut)
def proposal_detail(request, public_id: str):
    return _proposal_out(_proposal(request, public_id), request.user)


@router.post("/proposals/{public_id}/agreements", auth=session_auth, response={201: AgreementOut})
def agree(request, public_id: str):
    """Agree once per verified phone number: 409 if this number already agreed."""
    proposal = _proposal(request, public_id)
    with _refusals():
        proposal.agree(user=request.auth)
    out = {"proposal_id": proposal.public_id, "agreement_count": proposal.agreement_count, "status": proposal.status}
    return Status(201, out)


@router.get("/review/queue", auth=session_auth, response=list[ProposalOut])
def review_queue(request):
    if not is_reviewer(request.auth):
        raise Http404
    waiting = Proposal.objects.filter(status=ProposalStatus.REVIEW).order_by("review_started_at")
    return [_proposal_out(p, request.auth) for p in waiting]


@router.post("/proposals/{public_id}/approve", auth=session_auth, response={201: BoxOut})
def approve(request, public_id: str, payload: ApproveIn):
    if not is_reviewer(request.auth):
        raise Http404
    with _refusals():
        box = _proposal(request, public_id).approve(by=request.auth, notes=payload.dict())
    return Status(201, _box_out(box))


@router.post("/proposals/{public_id}/reject", auth=session_auth, response=ProposalOut)
def reject(request, public_id: str, payload: RejectIn):
    if not is_reviewer(request.auth):
        raise Http404
    proposal = _proposal(request, public_id)
    with _refusals():
        proposal.reject(by=request.auth, reason=payload.reason)
    return _proposal_out(proposal, request.auth)


@router.post("/proposals/{public_id}/reports", auth=session_auth, response={201: None})
def report_proposal(request, public_id: str, payload: ReportIn):
    with _refusals():
        _proposal(request, public_id).report(by=request.auth, reason=payload.reason, detail=payload.detail)
    return Status(201, None)


@router.get("/boxes", response=list[BoxOut])
def boxes(request, status: BoxStatus | None = None):
    found = Fundraiser.objects.public().select_related("proposal")
    found = found.filter(status=status) if status else found
    return [_box_out(b) for b in found[:100]]


@router.get("/boxes/{public_id}", response=BoxOut)
def box_detail(request, public_id: str):
    return _box_out(_box(request, public_id))


@router.post("/boxes/{public_id}/donations", auth=session_auth, response={201: DonationOut})
def donate(request, public_id: str, payload: DonationIn):
    """Start a donation: the donor pays at `checkout_url`, and the gift counts once the provider confirms."""
    box = _box(request, public_id)
    with _refusals():
        donation = donation_start(box=box, donor=request.auth, **payload.dict())
    return Status(201, _donation_out(donation))


@router.get("/donations", auth=session_auth, response=list[DonationOut])
def my_donations(request):
    found = Donation.objects.filter(donor=request.auth).select_related("box", "payment")
    return [_donation_out(d) for d in found[:200]]


@router.get("/donations/{public_id}", auth=session_auth, response=DonationOut)
def donation_detail(request, public_id: str):
    return _donation_out(_own_donation(request, public_id))


@router.post("/donations/{public_id}/cancel", auth=session_auth, response=DonationOut)
def donation_cancel(request, public_id: str):
    """The donor takes the whole gift back while the box is open."""
    donation = _own_donation(request, public_id)
    with _refusals():
        if not donation.box.is_open():
            raise Refused("모금이 끝난 뒤에는 직접 취소할 수 없습니다.")
        donation_refund(donation=donation, amount=donation.net_amount, reason="기부자 취소", by=request.auth)
    return _donation_out(donation)


@router.post("/boxes/{public_id}/participations", auth=session_auth, response={201: ParticipationOut})
def participate(request, public_id: str, payload: ParticipationIn):
    """Cheer or share, once per person per box: 409 the second time."""
    if payload.action not in (ParticipationAction.CHEER, ParticipationAction.SHARE):
        raise HttpError(400, "action은 cheer 또는 share입니다.")
    with _refusals():
        done = _box(request, public_id).participate(user=request.auth, action=payload.action)
    return Status(201, _participation_out(done))


def _participation_out(participation: Participation):
    return {
        "action": participation.action,
        "amount": participation.amount,
        "sponsor": participation.sponsor.name if participation.sponsor else None,
    }


@router.get("/boxes/{public_id}/comments", response=list[CommentOut])
def comments(request, public_id: str):
    shown = _box(request, public_id).comments.filter(moderation__in=[Moderation.VISIBLE, Moderation.KEPT])
    return [_comment_out(c) for c in shown[:200]]


def _comment_out(comment):
    return {
        "id": comment.public_id,
        "author": comment.author_label,
        "body": comment.body,
        "created_at": comment.created_at,
    }


@router.post("/boxes/{public_id}/comments", auth=session_auth, response={201: CommentOut})
def comment(request, public_id: str, payload: CommentIn):
    with _refusals():
        c = _box(request, public_id).post_comment(user=request.auth, body=payload.body)
    return Status(201, _comment_out(c))


@router.post("/comments/{public_id}/reports", auth=session_auth, response={201: None})
def report_comment(request, public_id: str, payload: ReportIn):
    target = get_object_or_404(Comment.objects.select_related("box__proposal"), public_id=public_id)
    _box(request, target.box.public_id)
    with _refusals():
        target.report(by=request.auth, reason=payload.reason, detail=payload.detail)
    return Status(201, None)


@router.get("/boxes/{public_id}/ledger", response=list[BoxEntryOut])
def ledger(request, public_id: str):
    """The box's public ledger lines (donations anonymised, refunds, payout, expenses), oldest first."""
    box = _box(request, public_id)
    return list(Entry.objects.filter(book__in=[box.book, box.usage_book]).order_by("seq")[:5000])
