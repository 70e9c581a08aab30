"""Who may see and do what in Together: one answer for the pages and the API.

A proposal a moderator removed exists only for its proposer and moderators; a box and its
comments follow their proposal. Everyone else gets 404, so ids can't be probed. Pass the
person asking: `request.user` on a page, `request.auth` (or `request.user` on public
endpoints) in the API.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Comment, Donation, Fundraiser, Proposal
from .roles import is_moderator, is_reviewer


def visible_proposal(user, public_id):
    return get_object_or_404(Proposal.objects.visible_to(user).select_related("proposer"), public_id=public_id)


def visible_box(user, public_id):
    return get_object_or_404(
        Fundraiser.objects.visible_to(user).select_related("proposal__proposer"), public_id=public_id
    )


def visible_comment(user, public_id):
    """A comment neighbours can see (and so report), on a box this person may see."""
    boxes = Fundraiser.objects.visible_to(user)
    found = Comment.objects.public().filter(box__in=boxes).select_related("box__proposal")
    return get_object_or_404(found, public_id=public_id)


def team_box(user, public_id):
    """The box, if `user` runs it (its proposer)."""
    box = visible_box(user, public_id)
    if not box.is_team(user):
        raise Http404
    return box


def stewarded_box(user, public_id):
    """The box, for its team or a reviewer: the people who may move its end date or handle its plan."""
    box = visible_box(user, public_id)
    if not (box.is_team(user) or is_reviewer(user)):
        raise Http404
    return box


def own_donation(user, public_id):
    """The donor's own gift; 404 for anyone else, staff included."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Donation.objects.select_related("box__proposal", "payment"), public_id=public_id, donor=user
    )


def seen_donation(user, public_id):
    """A gift its donor, or a moderator handling refunds, may look at."""
    if is_moderator(user):
        return get_object_or_404(Donation.objects.select_related("box__proposal", "payment"), public_id=public_id)
    return own_donation(user, public_id)


def require_reviewer(user):
    if not is_reviewer(user):
        raise Http404


def require_moderator(user):
    if not is_moderator(user):
        raise Http404


def story_shown(user, proposal):
    """Title and story of a proposal hidden by reports stay readable for its proposer and moderators."""
    return proposal.is_public or proposal.is_proposer(user) or is_moderator(user)


def reported_item(user, kind, public_id):
    """A proposal or comment (`kind`) for a moderator to keep or remove."""
    require_moderator(user)
    model = {"proposal": Proposal, "comment": Comment}.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model, public_id=public_id)
