"""FHIR R4 structure: each instrument as a Questionnaire, each result as a QuestionnaireResponse."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.screening import instruments
from liaison.screening.instruments import fhir

DEFINITIONS = instruments.all_current()


@pytest.mark.parametrize("definition", DEFINITIONS, ids=[d.code for d in DEFINITIONS])
def test_every_instrument_is_a_questionnaire(definition):
    q = fhir.questionnaire(definition)
    assert q["resourceType"] == "Questionnaire"
    assert q["status"] == "active"
    assert q["url"] == f"https://liaison.example.org/fhir/Questionnaire/{definition.code}"
    assert q["version"] == definition.version
    link_ids = [item["linkId"] for item in q["item"]]
    assert link_ids == [i.key for i in definition.items] + ["result"]
    assert len(set(link_ids)) == len(link_ids)
    for item, source in zip(q["item"], definition.items, strict=False):
        assert item["type"] == ("choice" if source.options else "integer")
        if not definition.wording_may_be_shown:
            assert item["text"] == source.label  # never the instrument's own wording
        for option, original in zip(item.get("answerOption", []), source.options, strict=True):
            assert option["extension"][0]["valueDecimal"] == original.score
    if definition.loinc_panel:
        assert q["code"][0] == {
            "system": "http://loinc.org",
            "code": definition.loinc_panel,
            "display": definition.title,
        }
    else:
        assert "code" not in q


def test_phq9_questionnaire_carries_loinc_codes():
    q = fhir.questionnaire(instruments.get("phq-9"))
    first = q["item"][0]
    assert first["code"] == [{"system": "http://loinc.org", "code": "44250-9"}]
    assert first["text"] == "Little interest or pleasure in doing things"
    assert first["answerOption"][3]["valueCoding"] == {
        "system": "http://loinc.org",
        "code": "LA6571-9",
        "display": "Nearly every day",
    }
    total = q["item"][-1]["item"][0]
    assert total["linkId"] == "total" and total["code"][0]["code"] == "44261-6"


def test_dast10_reverse_item_keeps_its_weights_and_local_codes():
    q = fhir.questionnaire(instruments.get("dast-10"))
    item3 = q["item"][2]
    assert [(o["valueCoding"]["code"], o["extension"][0]["valueDecimal"]) for o in item3["answerOption"]] == [
        ("0", 1),
        ("1", 0),
    ]
    assert (
        item3["answerOption"][0]["valueCoding"]["system"]
        == "https://liaison.example.org/fhir/CodeSystem/dast-10-answers"
    )


def test_gated_items_have_enable_when():
    crafft = fhir.questionnaire(instruments.get("crafft"))
    relax = crafft["item"][4]
    assert relax["linkId"] == "5" and relax["enableBehavior"] == "any"
    assert [c["question"] for c in relax["enableWhen"]] == ["1", "2", "3"]
    assert relax["enableWhen"][0] == {"question": "1", "operator": ">", "answerInteger": 0}
    asq = fhir.questionnaire(instruments.get("asq"))
    assert asq["item"][4]["enableWhen"][0]["operator"] == "!="


def test_a_completed_result_is_a_questionnaire_response():
    answers = {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 2}
    definition = instruments.get("phq-9")
    result = instruments.score("phq-9", answers)
    qr = fhir.questionnaire_response(
        definition,
        response_id="screening-7",
        answers=answers,
        result=result,
        completed=True,
        subject_id=42,
        authored=dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC),
        author="Sam Night",
    )
    assert qr["resourceType"] == "QuestionnaireResponse"
    assert qr["status"] == "completed"
    assert qr["questionnaire"] == "https://liaison.example.org/fhir/Questionnaire/phq-9|1"
    assert qr["subject"]["identifier"]["value"] == "42"
    assert [i["linkId"] for i in qr["item"]] == [*(str(n) for n in range(1, 10)), "result"]
    assert qr["item"][8]["answer"] == [
        {
            "valueCoding": {
                "system": "http://loinc.org",
                "code": "LA6570-1",
                "display": "More than half the days",
            }
        }
    ]
    outcome = {i["linkId"]: i["answer"] for i in qr["item"][-1]["item"]}
    assert outcome["total"] == [{"valueInteger": 3}]
    assert outcome["positive"] == [{"valueBoolean": False}]
    assert {"valueString": "suicide_risk"} in outcome["flags"]


def test_a_draft_is_an_in_progress_response_without_a_result():
    qr = fhir.questionnaire_response(
        instruments.get("crafft"),
        response_id="screening-8",
        answers={"1": 4},
        result=None,
        completed=False,
        subject_id=1,
        authored=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    assert qr["status"] == "in-progress"
    assert qr["item"] == [{"linkId": "1", "text": "Part A, question 1", "answer": [{"valueInteger": 4}]}]
