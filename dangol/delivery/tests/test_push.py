import datetime as dt
import json

import http_ece
import time_machine
from django.utils import timezone

from dangol.delivery.models import MAX_ATTEMPTS, Channel, Delivery, PushSubscription, State, VapidKey
from dangol.delivery.services import deliveries_send_due
from dangol.messaging.services import message_send

NOON = "2026-11-26 12:00 +0900"


def _send(store, merchant, body="오늘 사과 세일", kind="info"):
    """Send as the compose page does; the worker's delivery task runs as it would after the commit."""
    message = message_send(store=store, author=merchant, kind=kind, body=body)
    message.deliver()
    return message


@time_machine.travel(NOON, tick=False)
def test_a_push_decrypts_with_the_browsers_own_key_and_carries_a_vapid_signature(
    store, merchant, customer, follow, browser, push_service
):
    phone = browser("phone")
    phone.subscribe(customer)
    follow(customer, store)
    message = _send(store, merchant)

    assert deliveries_send_due()["push"] == 1
    [request] = push_service.requests
    assert request["headers"]["content-encoding"] == "aes128gcm"
    # An independent RFC 8291 decryption with the subscription's private key and auth secret.
    plain = http_ece.decrypt(
        request["body"], private_key=phone.private_key, auth_secret=phone.auth_secret, version="aes128gcm"
    )
    payload = json.loads(plain)
    assert payload == {
        "title": "햇살과일",
        "body": "오늘 사과 세일",
        "url": f"/inbox/{message.public_id}/",
        "tag": message.public_id,
    }
    assert request["headers"]["authorization"].startswith("vapid t=")
    assert f"k={VapidKey.objects.get().public_key}" in request["headers"]["authorization"]
    row = Delivery.objects.get(channel=Channel.PUSH)
    assert row.state == State.SENT and row.attempts == 1


def test_the_vapid_key_is_made_once_and_kept(db, client):
    first = client.get("/api/v1/push/key").json()["application_server_key"]
    again = client.get("/api/v1/push/key").json()["application_server_key"]
    assert first == again and VapidKey.objects.count() == 1


@time_machine.travel(NOON, tick=False)
def test_a_push_is_never_sent_twice_however_often_the_worker_runs(
    store, merchant, customer, follow, browser, push_service
):
    browser("phone").subscribe(customer)
    follow(customer, store)
    _send(store, merchant)
    deliveries_send_due()
    deliveries_send_due()
    assert len(push_service.requests) == 1


@time_machine.travel(NOON, tick=False)
def test_a_browser_that_answers_404_or_410_loses_its_subscription_and_the_row_is_gone(
    store, merchant, customer, stranger, follow, browser, push_service
):
    old, dead = browser("old"), browser("dead")
    old.subscribe(customer)
    dead.subscribe(stranger)
    push_service.answers = {old.path: [(404, {})], dead.path: [(410, {})]}
    follow(customer, store)
    follow(stranger, store)
    _send(store, merchant)

    deliveries_send_due()

    assert not PushSubscription.objects.exists()
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.GONE}
    deliveries_send_due()
    assert len(push_service.requests) == 2


def test_a_push_service_answering_429_is_asked_again_after_retry_after(
    store, merchant, customer, follow, browser, push_service
):
    phone = browser("phone")
    phone.subscribe(customer)
    push_service.answers = {phone.path: [(429, {"Retry-After": "120"})]}
    follow(customer, store)
    with time_machine.travel(NOON, tick=False):
        _send(store, merchant)
        deliveries_send_due()
        row = Delivery.objects.get()
        assert row.state == State.QUEUED and row.next_attempt_at == timezone.now() + dt.timedelta(seconds=120)
    with time_machine.travel("2026-11-26 12:01:59 +0900", tick=False):
        deliveries_send_due()
        assert len(push_service.requests) == 1
    with time_machine.travel("2026-11-26 12:02 +0900", tick=False):
        deliveries_send_due()
    assert len(push_service.requests) == 2
    assert Delivery.objects.get().state == State.SENT


def test_server_errors_back_off_doubling_and_give_up_after_the_last_attempt(
    store, merchant, customer, follow, browser, push_service
):
    phone = browser("phone")
    phone.subscribe(customer)
    push_service.answers = {phone.path: [(503, {})] * 20}
    follow(customer, store)
    start = dt.datetime.fromisoformat("2026-11-26T12:00:00+09:00")
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        _send(store, merchant)
        for _ in range(MAX_ATTEMPTS):
            deliveries_send_due()
            row = Delivery.objects.get()
            if row.state != State.QUEUED:
                break
            waits.append(row.next_attempt_at - timezone.now())
            deliveries_send_due()  # too early: nothing is sent
            clock.move_to(row.next_attempt_at)
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    row = Delivery.objects.get()
    assert row.state == State.FAILED and row.attempts == MAX_ATTEMPTS and "503" in row.last_error
    assert len(push_service.requests) == MAX_ATTEMPTS


def test_a_night_ad_is_pushed_at_eight_to_a_customer_without_night_consent_and_at_once_with_it(
    store, merchant, customer, stranger, follow, browser, push_service
):
    day, night = browser("day"), browser("night")
    day.subscribe(stranger)
    night.subscribe(customer)
    follow(stranger, store, ads=True, night=False)
    follow(customer, store, ads=True, night=True)
    with time_machine.travel("2026-11-26 22:00 +0900", tick=False):
        _send(store, merchant, kind="ad", body="내일 아침 특가")
        deliveries_send_due()
        assert [r["path"] for r in push_service.requests] == [night.path]
    with time_machine.travel("2026-11-27 07:59 +0900", tick=False):
        deliveries_send_due()
        assert len(push_service.requests) == 1
    with time_machine.travel("2026-11-27 08:00 +0900", tick=False):
        deliveries_send_due()
    assert [r["path"] for r in push_service.requests] == [night.path, day.path]


def test_a_held_ad_is_not_pushed_once_ad_consent_is_withdrawn(store, merchant, stranger, follow, browser, push_service):
    from dangol.channels.services import consent_change

    browser("day").subscribe(stranger)
    regular = follow(stranger, store, ads=True, night=False)
    with time_machine.travel("2026-11-26 22:00 +0900", tick=False):
        _send(store, merchant, kind="ad", body="내일 아침 특가")
        consent_change(follow=regular, kind="ads", given=False, via="web")
    with time_machine.travel("2026-11-27 08:00 +0900", tick=False):
        deliveries_send_due()
    ad = Delivery.objects.get(message__kind="ad")
    assert ad.state == State.FAILED and ad.sent_at is None
    # What did reach the phone is the confirmation of the withdrawal, a notice.
    assert len(push_service.requests) == Delivery.objects.filter(message__kind="notice", state=State.SENT).count() == 1


@time_machine.travel(NOON, tick=False)
def test_a_customer_who_chose_the_inbox_only_gets_no_push(
    store, merchant, customer, follow, browser, push_service, signed_in
):
    browser("phone").subscribe(customer)
    follow(customer, store)
    response = signed_in(customer).post("/me/channels/", {"store": store.public_id, "channel": "inbox"}, follow=True)
    assert "받는 방법을 바꿨습니다" in response.content.decode()
    _send(store, merchant)
    deliveries_send_due()
    assert push_service.requests == [] and not Delivery.objects.exists()


@time_machine.travel(NOON, tick=False)
def test_a_worker_sends_the_pushes_of_a_batch_at_once_and_records_each_row(
    store, merchant, customer, stranger, other_merchant, follow, browser, push_service
):
    push_service.delay = 0.3  # a slow push service: one at a time would take 2.4 s
    people = [customer, stranger, other_merchant]
    for i, person in enumerate(people):
        follow(person, store)
        browser(f"phone{i}").subscribe(person)
        browser(f"tablet{i}").subscribe(person)
    dead = browser("dead")
    dead.subscribe(customer)
    push_service.answers = {dead.path: [(410, {})]}
    _send(store, merchant)

    assert deliveries_send_due()["push"] == 3
    assert len(push_service.requests) == 7 and push_service.most_in_flight >= 4
    rows = Delivery.objects.order_by("customer_id")
    assert [(r.state, len(r.answer["reached"])) for r in rows] == [(State.SENT, 2)] * 3
    assert not PushSubscription.objects.filter(endpoint=dead.endpoint).exists()


def _regulars(store, follow, browser, count):
    from dangol.accounts.models import User

    people = [User.objects.create_user(f"+8210777{i:05d}") for i in range(count)]
    for i, person in enumerate(people):
        follow(person, store)
        browser(f"p{i}").subscribe(person)
    return people


@time_machine.travel(NOON, tick=False)
def test_one_pass_records_every_kind_of_answer_of_its_batch(store, merchant, follow, browser, push_service):
    _regulars(store, follow, browser, 6)
    push_service.answers = {
        "/push/p1": [(410, {})],
        "/push/p2": [(429, {"Retry-After": "30"})],
        "/push/p3": [(503, {})],
        "/push/p4": [(400, {})],
        "/push/p5": [(502, {})],
    }
    message = _send(store, merchant)
    rows = Delivery.objects.filter(message=message).order_by("customer_id")
    last_try = rows[5]
    Delivery.objects.filter(pk=last_try.pk).update(attempts=MAX_ATTEMPTS - 1)  # its last attempt is this one

    assert deliveries_send_due()["push"] == 1
    now = timezone.now()
    got = [(r.state, r.attempts, r.next_attempt_at - now, r.sent_at is not None, r.claim) for r in rows.all()]
    assert got == [
        (State.SENT, 1, dt.timedelta(0), True, ""),
        (State.GONE, 1, dt.timedelta(0), False, ""),
        (State.QUEUED, 1, dt.timedelta(seconds=30), False, ""),
        (State.QUEUED, 1, dt.timedelta(minutes=1), False, ""),
        (State.FAILED, 1, dt.timedelta(0), False, ""),
        (State.FAILED, MAX_ATTEMPTS, dt.timedelta(0), False, ""),
    ]
    assert [r.last_error[:8] for r in rows.all()][2:] == ["HTTP 429", "HTTP 503", "HTTP 400", "HTTP 502"]
    assert not PushSubscription.objects.filter(endpoint__endswith="/push/p1").exists()


@time_machine.travel(NOON, tick=False)
def test_a_worker_pass_asks_the_database_as_often_for_forty_rows_as_for_four(
    store, merchant, follow, browser, push_service
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangol.accounts.models import User

    people = [User.objects.create_user(f"+8210777{i:05d}") for i in range(40)]
    queries = []
    # Each message goes to every subscribed regular: 1 (the first pass also signs the VAPID header), 4, 40.
    for subscribed in (people[:1], people[1:4], people[4:]):
        for person in subscribed:
            follow(person, store)
            browser(f"p{person.pk}").subscribe(person)
        _send(store, merchant, body=f"{len(subscribed)}명 더")
        with CaptureQueriesContext(connection) as captured:
            deliveries_send_due()
        queries.append(len(captured))
    assert Delivery.objects.filter(state=State.SENT).count() == 1 + 4 + 40
    assert queries[1] == queries[2]


@time_machine.travel(NOON, tick=False)
def test_the_vapid_header_is_an_es256_token_for_the_push_services_origin(
    store, merchant, customer, follow, browser, push_service
):
    import base64
    import json as jsonlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    def unb64(value):
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))

    browser("phone").subscribe(customer)
    follow(customer, store)
    _send(store, merchant)
    deliveries_send_due()
    [request] = push_service.requests
    scheme, _space, fields = request["headers"]["authorization"].partition(" ")
    fields = dict(field.strip().split("=", 1) for field in fields.split(","))
    token, key = fields["t"], fields["k"]
    assert scheme == "vapid"
    head, claims, signature = token.split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    assert jsonlib.loads(unb64(head))["alg"] == "ES256"
    claims = jsonlib.loads(unb64(claims))
    assert claims["aud"] == push_service.url and claims["exp"] > timezone.now().timestamp()
    assert key == VapidKey.objects.get().public_key
