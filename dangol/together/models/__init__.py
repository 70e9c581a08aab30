"""Together (같이): proposals, agreements, review, fundraising boxes, donations, settlement, moderation."""

from .base import AlreadyDone, Moderation, Refused, Rules, person_label, phone_key
from .boxes import (
    MAX_DONATION,
    MIN_DONATION,
    BoxStatus,
    Comment,
    Donation,
    DonationStatus,
    Fundraiser,
    MatchingGift,
    Participation,
    ParticipationAction,
    Sponsor,
)
from .limits import Allowance
from .moderation import Report, ReportReason
from .proposals import (
    Agreement,
    Category,
    Criterion,
    EventKind,
    Proposal,
    ProposalEvent,
    ProposalImage,
    ProposalStatus,
    Review,
)
from .settlement import Expense, Payout, PayoutPlan, PlanStatus, UsageReport

__all__ = [
    "MAX_DONATION",
    "MIN_DONATION",
    "Agreement",
    "Allowance",
    "AlreadyDone",
    "BoxStatus",
    "Category",
    "Comment",
    "Criterion",
    "Donation",
    "DonationStatus",
    "EventKind",
    "Expense",
    "Fundraiser",
    "MatchingGift",
    "Moderation",
    "Participation",
    "ParticipationAction",
    "Payout",
    "PayoutPlan",
    "PlanStatus",
    "Proposal",
    "ProposalEvent",
    "ProposalImage",
    "ProposalStatus",
    "Refused",
    "Report",
    "ReportReason",
    "Review",
    "Rules",
    "Sponsor",
    "UsageReport",
    "person_label",
    "phone_key",
]
