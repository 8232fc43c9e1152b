"""Instruments as FHIR R4 Questionnaires, and answers as QuestionnaireResponses. Pure Python, no Django.

Our own canonical URLs name every Questionnaire (its content is ours: our labels, our item
numbering, wording only where the licence allows). LOINC codes are attached wherever the reference
gives them: the panel on `Questionnaire.code`, item codes on `item.code`, answer codes (PHQ-9) on
the options, and the total-score code on the calculated total. Elsewhere answers are coded in our
own CodeSystem, one per instrument. Option scores ride on the standard ordinalValue extension
(the SDC pattern), so a reader can re-score without our code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from liaison.screening.instruments.model import Definition, Item, Option, Result

BASE = "https://liaison.example.org/fhir"
LOINC = "http://loinc.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
LIAISON_ID = f"{BASE}/Id/liaison-id"
RESULT_GROUP = "result"


def canonical(definition: Definition) -> str:
    return f"{BASE}/Questionnaire/{definition.code}"


def answer_system(definition: Definition) -> str:
    return f"{BASE}/CodeSystem/{definition.code}-answers"


def _item_text(definition: Definition, item: Item) -> str:
    """The wording where the licence lets it be shown; otherwise only our label."""
    if definition.wording_may_be_shown:
        shown = item.text or item.topic
        if shown:
            return shown
    return item.label


def _coding(definition: Definition, option: Option) -> dict[str, Any]:
    if option.loinc:
        return {"system": LOINC, "code": option.loinc, "display": option.label}
    return {"system": answer_system(definition), "code": str(option.value), "display": option.label}


def _enable_when(definition: Definition, item: Item) -> list[dict[str, Any]]:
    conditions: list[dict[str, Any]] = []
    for key in item.asked_when_any_nonzero:
        gate = definition.item(key)
        if gate is None:
            continue
        if gate.options:
            zero = next((o for o in gate.options if o.value == 0), None)
            if zero is None:
                continue
            conditions.append({"question": key, "operator": "!=", "answerCoding": _coding(definition, zero)})
        else:
            conditions.append({"question": key, "operator": ">", "answerInteger": 0})
    return conditions


def _question(definition: Definition, item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "linkId": item.key,
        "prefix": item.key,
        "text": _item_text(definition, item),
        "type": "choice" if item.options else "integer",
        "required": item.required and not item.asked_when_any_nonzero and not item.skippable_after,
    }
    if item.loinc:
        entry["code"] = [{"system": LOINC, "code": item.loinc}]
    if item.options:
        entry["answerOption"] = [
            {
                "valueCoding": _coding(definition, option),
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.score}],
            }
            for option in item.options
        ]
    else:
        extensions = []
        if item.minimum is not None:
            extensions.append({"url": MIN_VALUE, "valueInteger": item.minimum})
        if item.maximum is not None:
            extensions.append({"url": MAX_VALUE, "valueInteger": item.maximum})
        if extensions:
            entry["extension"] = extensions
    conditions = _enable_when(definition, item)
    if conditions:
        entry["enableWhen"] = conditions
        entry["enableBehavior"] = "any"
    return entry


def _has_total(definition: Definition) -> bool:
    return definition.rule == "sum"


def _result_items(definition: Definition) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if _has_total(definition):
        total: dict[str, Any] = {
            "linkId": "total",
            "text": "Total score",
            "type": "integer",
            "readOnly": True,
        }
        if definition.loinc_total:
            total["code"] = [{"system": LOINC, "code": definition.loinc_total}]
        items.append(total)
    items += [
        {"linkId": "band", "text": "Band", "type": "string", "readOnly": True},
        {"linkId": "positive", "text": "Screen positive", "type": "boolean", "readOnly": True},
        {"linkId": "flags", "text": "Flags raised", "type": "string", "readOnly": True, "repeats": True},
    ]
    return items


def questionnaire(definition: Definition) -> dict[str, Any]:
    """The definition as a FHIR R4 Questionnaire resource (a dict ready for JSON)."""
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": definition.code,
        "url": canonical(definition),
        "version": definition.version,
        "name": "".join(ch for ch in definition.short_title.title() if ch.isalnum()),
        "title": definition.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": definition.scoring,
        "purpose": definition.domain,
        "copyright": f"{definition.licence.holder}. {definition.licence.summary} "
        f"Permitted use: {definition.licence.permitted_use}",
    }
    if definition.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": definition.loinc_panel, "display": definition.title}]
    items = [_question(definition, item) for item in definition.items]
    items.append(
        {
            "linkId": RESULT_GROUP,
            "text": "Result (calculated by Liaison)",
            "type": "group",
            "readOnly": True,
            "item": _result_items(definition),
        }
    )
    resource["item"] = items
    return resource


def _answer(definition: Definition, item: Item, value: int) -> dict[str, Any]:
    if item.options:
        option = next((o for o in item.options if o.value == value), None)
        if option is not None:
            return {"valueCoding": _coding(definition, option)}
    return {"valueInteger": value}


def questionnaire_response(
    definition: Definition,
    *,
    response_id: str,
    answers: Mapping[str, int],
    result: Result | None,
    completed: bool,
    subject_id: int | str,
    authored: dt.datetime,
    author: str = "",
) -> dict[str, Any]:
    """Answers (and, once complete, the result) as a FHIR R4 QuestionnaireResponse."""
    items: list[dict[str, Any]] = []
    for item in definition.items:
        if item.key in answers:
            items.append(
                {
                    "linkId": item.key,
                    "text": _item_text(definition, item),
                    "answer": [_answer(definition, item, answers[item.key])],
                }
            )
    if completed and result is not None:
        outcome: list[dict[str, Any]] = []
        if _has_total(definition) and result.total is not None:
            outcome.append(
                {"linkId": "total", "text": "Total score", "answer": [{"valueInteger": result.total}]}
            )
        if result.band_label:
            outcome.append({"linkId": "band", "text": "Band", "answer": [{"valueString": result.band_label}]})
        if result.positive is not None:
            outcome.append(
                {
                    "linkId": "positive",
                    "text": "Screen positive",
                    "answer": [{"valueBoolean": result.positive}],
                }
            )
        if result.flags:
            outcome.append(
                {
                    "linkId": "flags",
                    "text": "Flags raised",
                    "answer": [{"valueString": flag} for flag in result.flags],
                }
            )
        if outcome:
            items.append({"linkId": RESULT_GROUP, "text": "Result (calculated by Liaison)", "item": outcome})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": f"{canonical(definition)}|{definition.version}",
        "status": "completed" if completed else "in-progress",
        "subject": {"identifier": {"system": LIAISON_ID, "value": str(subject_id)}},
        "authored": authored.isoformat(),
        "item": items,
    }
    if author:
        resource["author"] = {"display": author}
    return resource
