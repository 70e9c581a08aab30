"""Together under /api/v1/together: the same model methods and services as the pages."""

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema, Status

from dangol.lib.api import errors, session_auth
from dangol.payments.services import checkout_url

from .access import own_donation, require_reviewer, story_shown, visible_box, visible_comment, visible_proposal
from .models import (
    BoxStatus,
    Category,
    Donation,
    DonationStatus,
    Fundraiser,
    Participation,
    Proposal,
    ProposalStatus,
    ReportReason,
)
from .models.proposals import MAX_BENEFICIARY, MAX_GOAL, MAX_PERIOD_DAYS, MAX_STORY, MAX_TITLE, MIN_GOAL
from .services import donation_cancel as cancel_donation
from .services import donation_start

# Limits are checked by the model methods below (400 with the field at fault), not by the schemas.
router = Router(tags=["together"])


def _person(request):
    """Who is asking: the signed-in user on operations with auth, else the session's user (maybe anonymous)."""
    return getattr(request, "auth", None) or request.user


class ProposalIn(Schema):
    title: str = Field(description=f"{MAX_TITLE}자까지")
    story: str = Field(description=f"{MAX_STORY}자까지")
    beneficiary: str = Field(description=f"모금액을 받아 쓰는 단체, {MAX_BENEFICIARY}자까지")
    goal: int = Field(description=f"목표 금액(원), {MIN_GOAL:,}원부터 {MAX_GOAL:,}원까지")
    period_days: int = Field(description=f"모금 기간(일), {MAX_PERIOD_DAYS}일까지")
    category: str = Field(description=", ".join(Category.values))


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
    action: Literal["cheer", "share"] = Field(description="cheer(응원) 또는 share(공유)")


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
    shown = story_shown(user, proposal)
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


def _box_out(box, user):
    return {
        "id": box.public_id,
        "proposal_id": box.proposal.public_id,
        "title": box.proposal.title if story_shown(user, box.proposal) else "",
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
        "donor_count": box.donor_count(),
        "participant_count": box.participant_counts()["people"],
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


@router.get("/proposals", response=list[ProposalOut])
def proposals(request, status: ProposalStatus | None = None):
    """Proposals neighbours can see, newest first (default: gathering agreements or in review)."""
    found = Proposal.objects.public().select_related("box", "review")
    found = found.filter(status=status) if status else found.gathering()
    return [_proposal_out(p, request.user) for p in found[:100]]


@router.post("/proposals", auth=session_auth, response={201: ProposalOut, **errors(429)})
def propose(request, payload: ProposalIn):
    proposal = Proposal.propose(proposer=request.auth, **payload.dict())
    return Status(201, _proposal_out(proposal, request.auth))


@router.get("/proposals/{public_id}", response=ProposalOut)
def proposal_detail(request, public_id: str):
    return _proposal_out(visible_proposal(_person(request), public_id), _person(request))


@router.post("/proposals/{public_id}/agreements", auth=session_auth, response={201: AgreementOut, **errors(409, 429)})
def agree(request, public_id: str):
    """Agree once per verified phone number: 409 if this number already agreed."""
    proposal = visible_proposal(request.auth, public_id)
    proposal.agree(user=request.auth)
    out = {"proposal_id": proposal.public_id, "agreement_count": proposal.agreement_count, "status": proposal.status}
    return Status(201, out)


@router.get("/review/queue", auth=session_auth, response={200: list[ProposalOut], **errors(404)})
def review_queue(request):
    """Proposals waiting for review, oldest first; 404 for anyone who is not a reviewer."""
    require_reviewer(request.auth)
    return [_proposal_out(p, request.auth) for p in Proposal.objects.in_review()]


@router.post("/proposals/{public_id}/approve", auth=session_auth, response={201: BoxOut})
def approve(request, public_id: str, payload: ApproveIn):
    require_reviewer(request.auth)
    box = visible_proposal(request.auth, public_id).approve(by=request.auth, notes=payload.dict())
    return Status(201, _box_out(box, request.auth))


@router.post("/proposals/{public_id}/reject", auth=session_auth, response=ProposalOut)
def reject(request, public_id: str, payload: RejectIn):
    require_reviewer(request.auth)
    proposal = visible_proposal(request.auth, public_id)
    proposal.reject(by=request.auth, reason=payload.reason)
    return _proposal_out(proposal, request.auth)


@router.post("/proposals/{public_id}/reports", auth=session_auth, response={201: None, **errors(409)})
def report_proposal(request, public_id: str, payload: ReportIn):
    """Report once per person: 409 the second time."""
    visible_proposal(request.auth, public_id).report(by=request.auth, reason=payload.reason, detail=payload.detail)
    return Status(201, None)


@router.get("/boxes", response=list[BoxOut])
def boxes(request, status: BoxStatus | None = None):
    found = Fundraiser.objects.public().select_related("proposal")
    found = found.filter(status=status) if status else found
    return [_box_out(b, request.user) for b in found[:100]]


@router.get("/boxes/{public_id}", response=BoxOut)
def box_detail(request, public_id: str):
    return _box_out(visible_box(_person(request), public_id), _person(request))


@router.post("/boxes/{public_id}/donations", auth=session_auth, response={201: DonationOut})
def donate(request, public_id: str, payload: DonationIn):
    """Start a donation: the donor pays at `checkout_url`, and the gift counts once the provider confirms."""
    box = visible_box(request.auth, public_id)
    donation = donation_start(box=box, donor=request.auth, **payload.dict())
    return Status(201, _donation_out(donation))


@router.get("/donations", auth=session_auth, response=list[DonationOut])
def my_donations(request):
    found = Donation.objects.filter(donor=request.auth).select_related("box", "payment")
    return [_donation_out(d) for d in found[:200]]


@router.get("/donations/{public_id}", auth=session_auth, response=DonationOut)
def donation_detail(request, public_id: str):
    return _donation_out(own_donation(request.auth, public_id))


@router.post("/donations/{public_id}/cancel", auth=session_auth, response={200: DonationOut, **errors(503)})
def donation_cancel(request, public_id: str):
    """The donor takes the whole gift back while the box is open: 503 if the payment provider has not answered."""
    donation = own_donation(request.auth, public_id)
    cancel_donation(donation=donation, by=request.auth)
    return _donation_out(donation)


@router.post("/boxes/{public_id}/participations", auth=session_auth, response={201: ParticipationOut, **errors(409)})
def participate(request, public_id: str, payload: ParticipationIn):
    """Cheer or share, once per person per box: 409 the second time."""
    done = visible_box(request.auth, public_id).participate(user=request.auth, action=payload.action)
    return Status(201, _participation_out(done))


def _participation_out(participation: Participation):
    return {
        "action": participation.action,
        "amount": participation.amount,
        "sponsor": participation.sponsor.name if participation.sponsor else None,
    }


@router.get("/boxes/{public_id}/comments", response=list[CommentOut])
def comments(request, public_id: str):
    shown = visible_box(_person(request), public_id).comments.public()
    return [_comment_out(c) for c in shown[:200]]


def _comment_out(comment):
    return {
        "id": comment.public_id,
        "author": comment.author_label,
        "body": comment.body,
        "created_at": comment.created_at,
    }


@router.post("/boxes/{public_id}/comments", auth=session_auth, response={201: CommentOut, **errors(429)})
def comment(request, public_id: str, payload: CommentIn):
    c = visible_box(request.auth, public_id).post_comment(user=request.auth, body=payload.body)
    return Status(201, _comment_out(c))


@router.post("/comments/{public_id}/reports", auth=session_auth, response={201: None, **errors(409)})
def report_comment(request, public_id: str, payload: ReportIn):
    """Report once per person: 409 the second time."""
    visible_comment(request.auth, public_id).report(by=request.auth, reason=payload.reason, detail=payload.detail)
    return Status(201, None)


@router.get("/boxes/{public_id}/ledger", response=list[BoxEntryOut])
def ledger(request, public_id: str):
    """The box's public ledger lines (donations anonymised, refunds, payout, expenses), oldest first."""
    return list(visible_box(_person(request), public_id).ledger_lines().order_by("seq")[:5000])
