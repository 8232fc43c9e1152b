"""The instruments and screenings API, and its FHIR exports."""

from __future__ import annotations

from django.utils import timezone

from liaison.core.models import AuditEvent
from liaison.episodes.models import Stage, Task
from liaison.screening.models import Screening
from tests.api.conftest import fields, get, patch, post, problem
from tests.screening.conftest import PHQ9_CLEAR, PHQ9_ITEM_9

# --- instruments -----------------------------------------------------------------------------------


def test_list_instruments_and_filter_by_age(practitioner_client):
    everything = get(practitioner_client, "/instruments").json()
    assert [i["code"] for i in everything][:3] == ["phq-9", "phq-2", "gad-7"]
    audit_c = next(i for i in everything if i["code"] == "audit-c")
    assert audit_c["default_profile"] == "uk" and audit_c["profiles"] == [
        "uk",
        "uk-local-bands",
        "us-men",
        "us-women",
    ]
    youth = {i["code"] for i in get(practitioner_client, "/instruments?age=15").json()}
    assert "crafft" in youth and "audit" not in youth


def test_instrument_definition_shows_wording_only_where_allowed(practitioner_client):
    phq9 = get(practitioner_client, "/instruments/phq-9").json()
    assert phq9["items"][8]["text"].startswith("Thoughts that you would be better off dead")
    assert [o["value"] for o in phq9["items"][0]["options"]] == [0, 1, 2, 3]
    assert phq9["licence"]["wording_may_be_shown"] is True and phq9["loinc_panel"] == "44249-1"
    dast = get(practitioner_client, "/instruments/dast-10").json()
    assert dast["wording_may_be_shown"] is False
    assert all(item["text"] == "" and item["topic"] == "" for item in dast["items"])
    assert dast["items"][2]["options"] == [
        {"value": 0, "label": "No", "points": 1, "loinc": ""},
        {"value": 1, "label": "Yes", "points": 0, "loinc": ""},
    ]
    problem(get(practitioner_client, "/instruments/c-ssrs"), 404)


def test_score_is_pure_and_answers_total_band_positive_flags_subscores(practitioner_client):
    response = post(practitioner_client, "/instruments/phq-9/score", {"answers": PHQ9_ITEM_9})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("total", "band", "positive", "flags", "subscores")} == {
        "total": 3,
        "band": "none-minimal",
        "positive": False,
        "flags": ["suicide_risk"],
        "subscores": {"phq2": 2},
    }
    assert body["version"] == "1" and body["profile"] == "standard" and body["prorated"] is False
    assert not Screening.objects.exists() and not AuditEvent.objects.exists()


def test_score_with_a_named_profile(practitioner_client):
    body = post(
        practitioner_client,
        "/instruments/audit-c/score",
        {"answers": {"1": 2, "2": 1, "3": 1}, "profile": "us-men"},
    ).json()
    assert (body["total"], body["positive"], body["profile"]) == (4, True, "us-men")
    uk = post(practitioner_client, "/instruments/audit-c/score", {"answers": {"1": 2, "2": 1, "3": 1}}).json()
    assert (uk["positive"], uk["profile"]) == (False, "uk")


def test_bad_answers_are_422_problems_naming_the_item(practitioner_client):
    body = problem(
        post(practitioner_client, "/instruments/phq-9/score", {"answers": {**PHQ9_CLEAR, "11": 0}}), 422
    )
    assert fields(body) == {"answers.11"}
    body = problem(
        post(practitioner_client, "/instruments/phq-9/score", {"answers": {**PHQ9_CLEAR, "3": 4}}), 422
    )
    assert body["errors"] == [{"field": "answers.3", "message": "Item 3 must be one of 0, 1, 2 or 3, not 4"}]
    body = problem(post(practitioner_client, "/instruments/phq-9/score", {"answers": {"1": 0}}), 422)
    assert fields(body) == {f"answers.{n}" for n in range(2, 10)}
    body = problem(post(practitioner_client, "/instruments/dast-10/score", {"answers": {"1": True}}), 422)
    assert "answers.1" in fields(body)
    body = problem(
        post(practitioner_client, "/instruments/audit-c/score", {"answers": {}, "profile": "mars"}), 422
    )
    assert fields(body) == {"profile"}
    problem(post(practitioner_client, "/instruments/nope/score", {"answers": {}}), 404)
    body = problem(post(practitioner_client, "/instruments/phq-9/score", {"answer": {}}), 422)
    assert {"answers", "answer"} <= fields(body)


def test_the_api_needs_a_signed_in_user(client, db):
    problem(post(client, "/instruments/phq-9/score", {"answers": PHQ9_CLEAR}), 401)


# --- screenings -----------------------------------------------------------------------------------


def test_create_patch_and_complete_a_screening(practitioner_client, episode_a):
    created = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/screenings",
        {"instrument": "phq-9", "answers": {"1": 1}},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["version"], body["answers"], body["instrument_version"]) == (
        "draft",
        1,
        {"1": 1},
        "1",
    )
    sid = body["id"]
    patched = patch(
        practitioner_client, f"/screenings/{sid}", {"version": 1, "answers": {**PHQ9_ITEM_9, "1": None}}
    )
    assert patched.status_code == 200
    assert "1" not in patched.json()["answers"] and patched.json()["version"] == 2
    # Item 1 was removed: completing names it, and changes nothing.
    body = problem(post(practitioner_client, f"/screenings/{sid}/complete", {"version": 2}), 422)
    assert body["errors"] == [{"field": "answers.1", "message": "Item 1 needs an answer"}]
    patch(practitioner_client, f"/screenings/{sid}", {"version": 2, "answers": {"1": 1}})
    done = post(practitioner_client, f"/screenings/{sid}/complete", {"version": 3})
    assert done.status_code == 200
    result = done.json()
    assert (result["status"], result["total"], result["band_label"], result["suicide_risk"]) == (
        "complete",
        3,
        "None or minimal",
        True,
    )
    task = Task.objects.get(pk=result["urgent_task_id"])
    assert task.due == timezone.localdate()
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.SCREENED
    listed = get(practitioner_client, f"/episodes/{episode_a.pk}/screenings").json()
    assert [s["id"] for s in listed["items"]] == [sid] and listed["next_cursor"] is None
    assert get(practitioner_client, f"/screenings/{sid}").json()["flags"] == ["suicide_risk"]


def test_stale_version_is_409(practitioner_client, episode_a):
    sid = post(practitioner_client, f"/episodes/{episode_a.pk}/screenings", {"instrument": "gad-2"}).json()[
        "id"
    ]
    patch(practitioner_client, f"/screenings/{sid}", {"version": 1, "answers": {"1": 1}})
    body = problem(patch(practitioner_client, f"/screenings/{sid}", {"version": 1, "answers": {"1": 2}}), 409)
    assert body["current_version"] == 2


def test_wrong_instrument_for_the_age_is_422_naming_it(practitioner_client, episode_a):
    body = problem(
        post(practitioner_client, f"/episodes/{episode_a.pk}/screenings", {"instrument": "crafft"}), 422
    )
    assert fields(body) == {"instrument"} and "CRAFFT 2.1 is for people aged 12 to 21" in body["detail"]


def test_bad_partial_answers_are_422_and_nothing_is_created(practitioner_client, episode_a):
    body = problem(
        post(
            practitioner_client,
            f"/episodes/{episode_a.pk}/screenings",
            {"instrument": "phq-9", "answers": {"9": 5}},
        ),
        422,
    )
    assert fields(body) == {"answers.9"}
    assert not Screening.objects.exists()


def test_creating_is_idempotent_with_a_key(practitioner_client, episode_a):
    first = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/screenings",
        {"instrument": "asq"},
        **{"Idempotency-Key": "k-1"},
    )
    again = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/screenings",
        {"instrument": "asq"},
        **{"Idempotency-Key": "k-1"},
    )
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and first.json()["id"] == again.json()["id"]
    assert Screening.objects.count() == 1


def test_outsiders_get_404_everywhere(outsider_client, practitioner_client, episode_a):
    sid = post(practitioner_client, f"/episodes/{episode_a.pk}/screenings", {"instrument": "phq-9"}).json()[
        "id"
    ]
    problem(get(outsider_client, f"/episodes/{episode_a.pk}/screenings"), 404)
    problem(post(outsider_client, f"/episodes/{episode_a.pk}/screenings", {"instrument": "phq-9"}), 404)
    problem(get(outsider_client, f"/screenings/{sid}"), 404)
    problem(patch(outsider_client, f"/screenings/{sid}", {"version": 1, "answers": {"1": 3}}), 404)
    problem(post(outsider_client, f"/screenings/{sid}/complete", {"version": 1}), 404)
    problem(get(outsider_client, f"/screenings/{sid}/fhir"), 404)
    assert Screening.objects.count() == 1 and Screening.objects.get().answers == {}
    assert AuditEvent.objects.filter(action="access.denied").count() == 6


def test_support_worker_may_read_but_not_record(client, support_worker, practitioner_client, episode_a):
    sid = post(practitioner_client, f"/episodes/{episode_a.pk}/screenings", {"instrument": "phq-9"}).json()[
        "id"
    ]
    client.force_login(support_worker)
    assert get(client, f"/screenings/{sid}").status_code == 200
    problem(post(client, f"/episodes/{episode_a.pk}/screenings", {"instrument": "phq-9"}), 403)
    problem(patch(client, f"/screenings/{sid}", {"version": 1, "answers": {"1": 3}}), 403)


# --- FHIR -------------------------------------------------------------------------------------------


def test_fhir_questionnaire_endpoint(practitioner_client):
    response = get(practitioner_client, "/fhir/Questionnaire/gad-7")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    body = response.json()
    assert body["resourceType"] == "Questionnaire" and body["status"] == "active"
    assert body["code"][0]["code"] == "69737-5"
    assert [i["linkId"] for i in body["item"]] == ["1", "2", "3", "4", "5", "6", "7", "8", "result"]
    problem(get(practitioner_client, "/fhir/Questionnaire/nope"), 404)


def test_fhir_questionnaire_response_endpoint(practitioner_client, episode_a):
    sid = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/screenings",
        {"instrument": "phq-9", "answers": PHQ9_ITEM_9},
    ).json()["id"]
    draft = get(practitioner_client, f"/screenings/{sid}/fhir").json()
    assert draft["resourceType"] == "QuestionnaireResponse" and draft["status"] == "in-progress"
    assert "result" not in [i["linkId"] for i in draft["item"]]
    post(practitioner_client, f"/screenings/{sid}/complete", {"version": 1})
    response = get(practitioner_client, f"/screenings/{sid}/fhir")
    assert response["Content-Type"] == "application/fhir+json"
    body = response.json()
    assert body["status"] == "completed" and body["questionnaire"].endswith("/Questionnaire/phq-9|1")
    assert body["subject"]["identifier"]["value"] == str(episode_a.person_id)
    items = {i["linkId"]: i for i in body["item"]}
    assert items["9"]["answer"][0]["valueCoding"]["code"] == "LA6569-3"
    outcome = {i["linkId"]: i["answer"] for i in items["result"]["item"]}
    assert outcome["total"] == [{"valueInteger": 3}]
    assert AuditEvent.objects.filter(action="screening.export").count() == 2
