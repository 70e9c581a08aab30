"""The program through the API: the same access helpers and the same rules as the pages."""

import datetime as dt

from django.http import Http404
from ninja import Router, Schema, Status

from dangol.channels.access import managed_store
from dangol.lib.api import errors, session_auth

from . import access
from .models import Cohort, Invitation, Visit
from .progress import progress_for
from .services import invitation_text

router = Router(tags=["program"], auth=session_auth)


class ProgramCohortOut(Schema):
    id: str
    name: str
    starts_on: dt.date
    ends_on: dt.date


class ProgramStepOut(Schema):
    key: str
    label: str
    done: bool


class ProgramStoreOut(Schema):
    id: str
    name: str
    market: str
    steps: list[ProgramStepOut]
    done: int
    regulars: int
    messages: int
    redemptions: int
    stamps: int
    last_moved: dt.datetime
    still: bool
    stopped_sending: bool


class ProgramVisitIn(Schema):
    visited_on: dt.date
    taught: str
    next_step: str = ""


class ProgramVisitOut(Schema):
    id: str
    store: str
    visited_on: dt.date
    taught: str
    next_step: str


class ProgramInvitationIn(Schema):
    phone: str


class ProgramInvitationOut(Schema):
    id: str
    store: str
    expires_at: dt.datetime


class ProgramJoinedOut(Schema):
    store: str
    name: str


def _cohort_out(cohort):
    return {"id": cohort.public_id, "name": cohort.name, "starts_on": cohort.starts_on, "ends_on": cohort.ends_on}


def _store_out(p):
    return {
        "id": p.store.public_id,
        "name": p.store.name,
        "market": p.store.market.name,
        "steps": [{"key": key, "label": label, "done": done} for key, label, done in p.checklist],
        "done": p.done,
        "regulars": p.regulars,
        "messages": p.messages,
        "redemptions": p.redemptions,
        "stamps": p.stamps,
        "last_moved": p.last_moved,
        "still": p.still,
        "stopped_sending": p.stopped_sending,
    }


@router.get("/cohorts", response=list[ProgramCohortOut])
def cohort_list(request):
    return [_cohort_out(c) for c in Cohort.objects.visible_to(request.auth)]


@router.get("/cohorts/{cohort_id}/stores", response=list[ProgramStoreOut])
def cohort_store_list(request, cohort_id: str):
    cohort = access.visible_cohort(request.auth, cohort_id)
    since, before = cohort.period
    stores = access.cohort_stores(request.auth, cohort).select_related("market")
    return [_store_out(p) for p in progress_for(stores, since=since, before=before)]


@router.get("/cohorts/{cohort_id}/stores/{store_id}", response=ProgramStoreOut)
def cohort_store_detail(request, cohort_id: str, store_id: str):
    cohort = access.visible_cohort(request.auth, cohort_id)
    store = access.cohort_store(request.auth, cohort, store_id)
    since, before = cohort.period
    [progress] = progress_for([store], since=since, before=before)
    return _store_out(progress)


@router.post("/cohorts/{cohort_id}/stores/{store_id}/visits", response={201: ProgramVisitOut})
def visit_log(request, cohort_id: str, store_id: str, payload: ProgramVisitIn):
    cohort = access.visible_cohort(request.auth, cohort_id)
    store = access.cohort_store(request.auth, cohort, store_id)
    if not access.is_tutor_of(request.auth, cohort, store):
        raise Http404
    visit = Visit.log(cohort=cohort, store=store, tutor=request.auth, **payload.dict())
    return Status(
        201,
        {
            "id": visit.public_id,
            "store": store.public_id,
            "visited_on": visit.visited_on,
            "taught": visit.taught,
            "next_step": visit.next_step,
        },
    )


@router.get("/stores/{store_id}/checklist", response=ProgramStoreOut)
def own_checklist(request, store_id: str):
    store = managed_store(request.auth, store_id)
    [progress] = progress_for([store])
    return _store_out(progress)


@router.post("/stores/{store_id}/invitations", response={201: ProgramInvitationOut})
def invitation_send(request, store_id: str, payload: ProgramInvitationIn):
    store = access.supported_store(request.auth, store_id)
    site = request.build_absolute_uri("/").rstrip("/")
    invitation = invitation_text(store=store, by=request.auth, phone=payload.phone, site=site)
    return Status(201, {"id": invitation.public_id, "store": store.public_id, "expires_at": invitation.expires_at})


@router.post("/invitations/{token}/accept", response={200: ProgramJoinedOut, **errors(409)})
def invitation_accept(request, token: str):
    invitation = Invitation.find(token)
    if invitation is None:
        raise Http404
    store = invitation.accept(user=request.auth)
    return {"store": store.public_id, "name": store.name}
