"""The JSON API at /api/v1: each app contributes its router; one place turns refusals into JSON.

Every error body has the same shape (`dangol.lib.api.ErrorOut`): `{"detail": ..., "errors": {field: [...]}}`.
The OpenAPI document lists, for each operation, the errors it can answer with: those its router
declares (`errors(409)`), plus the ones every operation of its kind gets from here (400 bad input,
401 no credentials, 403 no CSRF token, 404 unknown id, 413 too big, 422 schema mismatch).
"""

from django.core.exceptions import ValidationError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaMismatch
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema

from dangol.accounts.api import router as accounts_router
from dangol.channels.api import router as channels_router
from dangol.coupons.api import router as coupons_router
from dangol.coupons.auth import UncheckedKey, checked_actor
from dangol.delivery.api import router as delivery_router
from dangol.fund.api import router as fund_router
from dangol.ledger.api import router as ledger_router
from dangol.lib.api import ErrorOut
from dangol.lib.refusals import Refused, validation_messages
from dangol.messaging.api import router as messaging_router
from dangol.printing.api import router as printing_router
from dangol.program.api import router as program_router
from dangol.reports.api import router as reports_router
from dangol.stamps.api import router as stamps_router
from dangol.together.api import router as together_router

ERROR_REF = "#/components/schemas/ErrorOut"
UNSAFE = {"post", "put", "patch", "delete"}


class DuplicateSchemaName(Exception):
    """Two different schemas would share one name: a generated client would get one of them wrong."""


class DangolSchema(OpenAPISchema):
    def add_schema_definitions(self, definitions):
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                raise DuplicateSchemaName(f"two different schemas are both called {name!r}")
        super().add_schema_definitions(definitions)

    def operation_details(self, operation):
        details = super().operation_details(operation)
        responses = details["responses"]
        fallback = {}
        fallback[400] = "입력 값이 규칙에 맞지 않습니다"
        if details.get("security"):
            fallback[401] = "로그인이 필요합니다"
            if any(method.lower() in UNSAFE for method in operation.methods):
                fallback[403] = "CSRF 토큰이 없거나 맞지 않습니다"
        if any(p["in"] == "path" for p in details.get("parameters", [])):
            fallback[404] = "찾을 수 없거나 볼 수 없는 대상입니다"
        if "requestBody" in details:
            fallback[413] = "요청 본문이 너무 큽니다"
        if details.get("parameters") or "requestBody" in details:
            fallback[422] = "스키마에 맞지 않는 입력입니다"
        for status, description in fallback.items():
            responses.setdefault(
                status, {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}
            )
        self.schemas.setdefault(
            "ErrorOut",
            ErrorOut.model_json_schema(
                ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
            ),
        )
        return details


class DangolAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DangolSchema(self, path_prefix)


api = DangolAPI(
    title="Dangol API",
    version="1",
    description=(
        "단골: 시장 가게와 단골 손님을 잇는 API. 웹은 세션 인증(쓰기 요청에는 CSRF 토큰 필요), "
        "계산대 연동은 가게별 API 키(Authorization: Bearer dgk_...)를 씁니다. "
        '오류는 모두 {"detail": ..., "errors": {필드: [메시지]}} 모양입니다.'
    ),
    urls_namespace="api",
)
api.add_router("/auth", accounts_router)
api.add_router("/", channels_router)
api.add_router("/", messaging_router)
api.add_router("/", coupons_router)
api.add_router("/", stamps_router)
api.add_router("/together", together_router)
api.add_router("/fund", fund_router)
api.add_router("/ledger", ledger_router)
api.add_router("/", delivery_router)
api.add_router("/program", program_router)
api.add_router("/", printing_router)
api.add_router("/", reports_router)


@api.exception_handler(ValidationError)
def validation_error(request, error):
    return api.create_response(request, {"detail": "invalid", "errors": validation_messages(error)}, status=400)


@api.exception_handler(Refused)
def refused(request, refusal):
    return api.create_response(request, refusal.as_json(), status=refusal.status)


@api.exception_handler(SchemaMismatch)
def schema_mismatch(request, error):
    """422, as ninja answers it; but on the stall's routes, whose till key is checked in the view, a wrong key
    is answered first (401), as on every other route, where the key is checked before the input is read."""
    if isinstance(getattr(request, "auth", None), UncheckedKey):
        try:
            checked_actor(request)
        except (AuthenticationError, HttpError) as refusal:
            return api.on_exception(request, refusal)
    return api.create_response(request, {"detail": error.errors}, status=422)
