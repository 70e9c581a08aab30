import datetime as dt

from ninja import Field, Router, Schema, Status

from dangol.lib.api import errors, session_auth

from .access import moderated_target, reportable_message, reportable_store, require_moderator
from .models import MAX_DETAIL, Reason, Target
from .services import report_file

router = Router(tags=["reports"])


class AbuseReportIn(Schema):
    reason: str = Field(description=", ".join(Reason.values))
    detail: str = Field("", description=f"{MAX_DETAIL}자까지")


class ReportReasonOut(Schema):
    reason: str
    detail: str


class ReportedTargetOut(Schema):
    id: str
    kind: str = Field(description="store 또는 message")
    store_id: str
    store_name: str
    message_id: str | None
    message_body: str | None
    moderation: str
    report_count: int
    hidden_at: dt.datetime | None
    reports: list[ReportReasonOut]


class ModerationDecisionIn(Schema):
    decision: str = Field(description="keep(다시 보이기) 또는 remove(삭제)", pattern="^(keep|remove)$")


def _target(target):
    store = target.store or target.message.store
    return {
        "id": target.public_id,
        "kind": target.kind,
        "store_id": store.public_id,
        "store_name": store.name,
        "message_id": target.message.public_id if target.message_id else None,
        "message_body": target.message.body if target.message_id else None,
        "moderation": target.moderation,
        "report_count": target.report_count,
        "hidden_at": target.hidden_at,
        "reports": [{"reason": r.reason, "detail": r.detail} for r in target.reports.all()],
    }


@router.post("/stores/{public_id}/reports", auth=session_auth, response={201: None, **errors(409)})
def report_store(request, public_id: str, payload: AbuseReportIn):
    store = reportable_store(request.auth, public_id)
    report_file(reported=store, by=request.auth, reason=payload.reason, detail=payload.detail)
    return Status(201, None)


@router.post("/inbox/{message_id}/reports", auth=session_auth, response={201: None, **errors(409)})
def report_message(request, message_id: str, payload: AbuseReportIn):
    message = reportable_message(request.auth, message_id)
    report_file(reported=message, by=request.auth, reason=payload.reason, detail=payload.detail)
    return Status(201, None)


@router.get("/moderation/reports", auth=session_auth, response={200: list[ReportedTargetOut], **errors(404)})
def moderation_queue(request):
    require_moderator(request.auth)
    return [_target(t) for t in Target.objects.awaiting_moderation().for_queue()[:200]]


@router.post("/moderation/reports/{target_id}", auth=session_auth, response={200: ReportedTargetOut, **errors(409)})
def moderate(request, target_id: str, payload: ModerationDecisionIn):
    target = moderated_target(request.auth, target_id)
    target.moderate(by=request.auth, keep=payload.decision == "keep")
    return _target(target)
