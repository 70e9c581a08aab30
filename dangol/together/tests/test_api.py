from dangol.together.models import Proposal

from .conftest import give, neighbour

BASE = "/api/v1/together"
PROPOSAL = {
    "title": "경로당 난방비",
    "story": "겨울 난방비가 부족합니다.",
    "beneficiary": "시험동 경로당",
    "goal": 500000,
    "period_days": 30,
    "category": "neighbour",
}


def test_proposing_through_the_api(client, signed_in, customer, rules):
    assert client.post(f"{BASE}/proposals", PROPOSAL, content_type="application/json").status_code == 401
    api = signed_in(customer)
    response = api.post(f"{BASE}/proposals", PROPOSAL, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["threshold"], body["agreement_count"]) == ("agreeing", 3, 0)
    assert Proposal.objects.get().public_id == body["id"]
    bad = api.post(f"{BASE}/proposals", {**PROPOSAL, "period_days": 120, "goal": 10}, content_type="application/json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"period_days", "goal"}
    assert "90" in bad.json()["errors"]["period_days"][0]
    missing = api.post(f"{BASE}/proposals", {"title": "x"}, content_type="application/json")
    assert missing.status_code == 422
    assert Proposal.objects.count() == 1


def test_listing_and_reading_proposals(client, proposal):
    listed = client.get(f"{BASE}/proposals").json()
    assert [p["id"] for p in listed] == [proposal.public_id]
    detail = client.get(f"{BASE}/proposals/{proposal.public_id}").json()
    assert detail["title"] == proposal.title
    assert detail["box_id"] is None
    assert client.get(f"{BASE}/proposals/nothere").status_code == 404


def test_reading_a_box_with_totals_apart(client, box, sponsor, matcher):
    give(box, neighbour(1), 10000)
    box.participate(user=neighbour(2), action="cheer")
    body = client.get(f"{BASE}/boxes/{box.public_id}").json()
    assert (body["direct_total"], body["participation_total"], body["matching_total"], body["total"]) == (
        10000,
        100,
        10000,
        20100,
    )
    assert (body["donor_count"], body["participant_count"], body["percent"]) == (1, 1, 2)
    assert body["status"] == "open"
    assert [b["id"] for b in client.get(f"{BASE}/boxes").json()] == [box.public_id]


def test_donating_through_the_api(client, signed_in, box, stranger, customer):
    url = f"{BASE}/boxes/{box.public_id}/donations"
    assert client.post(url, {"amount": 10000}, content_type="application/json").status_code == 401
    api = signed_in(stranger)
    assert api.post(url, {"amount": 10}, content_type="application/json").status_code == 400
    response = api.post(url, {"amount": 10000, "anonymous": True, "message": "힘내요"}, content_type="application/json")
    assert response.status_code == 201
    donation = response.json()
    assert donation["status"] == "pending"
    back = api.post(donation["checkout_url"], {"action": "pay"})["Location"]
    api.get(back)
    paid = api.get(f"{BASE}/donations/{donation['id']}").json()
    assert (paid["status"], paid["checkout_url"]) == ("paid", None)
    assert [d["id"] for d in api.get(f"{BASE}/donations").json()] == [donation["id"]]
    client.logout()
    other = signed_in(customer)
    assert other.get(f"{BASE}/donations/{donation['id']}").status_code == 404
    assert other.post(f"{BASE}/donations/{donation['id']}/cancel").status_code == 404
    client.logout()
    canceled = signed_in(stranger).post(f"{BASE}/donations/{donation['id']}/cancel").json()
    assert (canceled["status"], canceled["refunded_amount"]) == ("refunded", 10000)


def test_the_ledger_of_a_box(client, box):
    give(box, neighbour(1), 10000)
    give(box, neighbour(2), 5000)
    entries = client.get(f"{BASE}/boxes/{box.public_id}/ledger").json()
    assert [(e["kind"], e["amount"]) for e in entries] == [("donation", 10000), ("donation", 5000)]
    assert entries[1]["prev_hash"] == entries[0]["hash"]
    assert all(e["memo"] == "직접 기부" for e in entries)


def test_comments_and_reports_through_the_api(client, signed_in, box, stranger):
    url = f"{BASE}/boxes/{box.public_id}/comments"
    assert client.post(url, {"body": "응원합니다"}, content_type="application/json").status_code == 401
    api = signed_in(stranger)
    created = api.post(url, {"body": "응원합니다"}, content_type="application/json")
    assert created.status_code == 201
    assert api.post(url, {"body": ""}, content_type="application/json").status_code == 400
    assert [c["body"] for c in client.get(url).json()] == ["응원합니다"]
    report = f"{BASE}/comments/{created.json()['id']}/reports"
    assert api.post(report, {"reason": "spam"}, content_type="application/json").status_code == 201
    assert api.post(report, {"reason": "spam"}, content_type="application/json").status_code == 409
    assert (
        api.post(
            report.replace(created.json()["id"], "nope"), {"reason": "spam"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            f"{BASE}/proposals/{box.proposal.public_id}/reports", {"reason": "bogus"}, content_type="application/json"
        ).status_code
        == 400
    )


def test_the_openapi_schema_lists_together(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert f"{BASE}/proposals/{{public_id}}/agreements" in paths
    assert f"{BASE}/boxes/{{public_id}}/ledger" in paths
