"""Every operation in /api/v1/openapi.json, walked with generated input as a customer, a merchant and a
point-of-sale key: no answer is a server error, and every answer is one the document promises
(status, content type, body schema).

Path ids are pointed at real objects half the time, so the walk reaches past "not found".
"""

import collections
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dangol.channels.models import ConsentVia, Follow
from dangol.coupons.models import ApiKey, Campaign, CouponKind, Method

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12
# Signing out would end the sessions the walk runs on; tests in accounts cover it.
SKIPPED = {"POST /api/v1/auth/sign-out"}


@pytest.fixture
def api_schema(db):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def world(store, other_store, merchant, customer):
    """Real objects for path ids to point at: a store with a campaign, a coupon, a follow."""
    Follow.start(customer=customer, store=store, ads=True, night=False, via=ConsentVia.WEB)
    campaign = Campaign.objects.create(
        store=store,
        kind=CouponKind.AMOUNT,
        amount_off=1000,
        valid_days=30,
        method=Method.FIRST_COME,
        created_by=merchant,
    )
    coupon = campaign.claim(customer=customer)
    return {
        "public_id": store.public_id,
        "store_id": store.public_id,
        "campaign_id": campaign.public_id,
        "code": coupon.code,
    }


@pytest.fixture
def actors(world, store, merchant, customer):
    """(headers, cookies) for each actor: a customer's session, a merchant's session, a POS key."""
    found = {
        "pos_key": ({"Authorization": f"Bearer {ApiKey.create_for(store=store, name='계산대', by=merchant)[1]}"}, {})
    }
    for name, user in (("customer", customer), ("merchant", merchant)):
        client = Client()
        client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
        token = _get_new_csrf_string()
        found[name] = ({"X-CSRFToken": token}, {"sessionid": client.cookies["sessionid"].value, "csrftoken": token})
    return found


def test_no_operation_answers_a_server_error_or_breaks_its_schema(api_schema, actors, world):
    failures, answered = {}, collections.defaultdict(collections.Counter)
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def walk(case):
            for name in case.path_parameters or {}:
                if name in world and len(str(case.path_parameters[name])) % 2 == 0:
                    case.path_parameters[name] = world[name]
            for headers, cookies in actors.values():
                response = case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
                answered[case.operation.label][response.status_code] += 1

        try:
            walk()
        except (
            Exception,
            BaseExceptionGroup,
        ) as error:  # collect every operation's failure, then fail once with all of them
            failures[operation.label] = f"{error.__class__.__name__}: {str(error)[:1500]}"
    if os.environ.get("DANGOL_API_WALK_REPORT"):
        for label, statuses in sorted(answered.items()):
            print(label, dict(statuses))
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
