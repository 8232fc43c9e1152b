"""The report templates: each kind's title, its sections in order, and the content kind each carries.

Pure data. The content kind decides whether a section may go to a recipient (consent.rules.may_share):
a section whose kind the consent does not allow is left out of the draft entirely.
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.consent.models import ContentKind
from liaison.reports.models import ReportKind


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    heading: str
    content_kind: str
    hint: str  # guidance for the practitioner writing it


@dataclass(frozen=True, slots=True)
class Template:
    kind: str
    title: str
    purpose: str  # one line under the title in the document
    sections: tuple[Section, ...]


R, N, S, F = (
    ContentKind.RECOMMENDATIONS.value,
    ContentKind.NEEDS_SUMMARY.value,
    ContentKind.SCREENING.value,
    ContentKind.FULL_ASSESSMENT.value,
)

TEMPLATES: dict[str, Template] = {
    ReportKind.CUSTODY_ADVICE: Template(
        ReportKind.CUSTODY_ADVICE,
        "Liaison and Diversion advice to custody",
        "Advice to the custody officer and investigating officer on fitness, support and risk.",
        (
            Section(
                "fitness",
                "Fitness for interview and detention",
                R,
                "Whether they are fit to be interviewed and detained, and any adjustments or safeguards.",
            ),
            Section(
                "appropriate_adult",
                "Appropriate adult",
                R,
                "Whether an appropriate adult is needed, and why.",
            ),
            Section("risks", "Risks", N, "Risks to themselves or others while in custody, in brief."),
            Section(
                "recommendations", "Recommendations", R, "What custody staff should do, and who to contact."
            ),
        ),
    ),
    ReportKind.COURT_REPORT: Template(
        ReportKind.COURT_REPORT,
        "Liaison and Diversion report to the court",
        "Information for the court on the defendant's health and social care needs.",
        (
            Section("needs", "Needs in brief", N, "The needs found at assessment, most pressing first."),
            Section(
                "recommendations",
                "Recommendations",
                R,
                "What the service recommends, including support already arranged.",
            ),
            Section(
                "treatment_requirements",
                "Suitability for treatment requirements",
                R,
                "Whether a mental health treatment requirement, drug rehabilitation requirement or "
                "alcohol treatment requirement may be suitable, and whether they agree to it.",
            ),
            Section(
                "bail_remand",
                "Bail and remand considerations",
                R,
                "Anything the court should weigh when deciding bail or remand: housing, health, support.",
            ),
            Section("screening", "Screening results", S, "Screening tools used and their results."),
            Section(
                "assessment",
                "Assessment in detail and the person's own view",
                F,
                "Background from the assessment, in the person's own words where possible.",
            ),
        ),
    ),
    ReportKind.PROBATION_HANDOVER: Template(
        ReportKind.PROBATION_HANDOVER,
        "Liaison and Diversion handover to probation",
        "Handover to the probation practitioner so that support carries on without a gap.",
        (
            Section("needs", "Needs and the plan", N, "The needs found at assessment, most pressing first."),
            Section(
                "recommendations",
                "What to continue",
                R,
                "Support arranged and what probation should continue or follow up.",
            ),
            Section("screening", "Screening results", S, "Screening tools used and their results."),
            Section(
                "assessment",
                "Assessment in detail and the person's own view",
                F,
                "Background from the assessment, in the person's own words where possible.",
            ),
        ),
    ),
}


def template_for(kind: str) -> Template:
    return TEMPLATES[kind]
