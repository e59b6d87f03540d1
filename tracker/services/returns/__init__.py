"""Milestone returns: a grantee drafts them section by section, submits them (through their
certifier where the stream asks for it), and an officer approves them or sends them back.

Statuses: not started -> draft -> [awaiting sign-off ->] submitted -> approved, and
submitted -> changes requested -> (draft again) -> submitted. Once submitted a return is frozen
for the grantee; once approved it is final.

Two rooms: `sections` (what the grantee fills in) and `decisions` (who moves it on).
"""

from tracker.services.returns.decisions import (
    complete_reported_milestones,
    review,
    sign_off,
    submit,
)
from tracker.services.returns.sections import (
    EDITABLE,
    SECTION_NAMES,
    SECTIONS,
    STALE,
    check_can_edit,
    mark_evidence_done,
    missing_sections,
    save_forecast,
    save_milestones,
    save_narrative,
    save_outputs,
    save_rag,
    save_response,
    save_spend,
)

__all__ = [
    "EDITABLE",
    "SECTIONS",
    "SECTION_NAMES",
    "STALE",
    "check_can_edit",
    "complete_reported_milestones",
    "mark_evidence_done",
    "missing_sections",
    "review",
    "save_forecast",
    "save_milestones",
    "save_narrative",
    "save_outputs",
    "save_rag",
    "save_response",
    "save_spend",
    "sign_off",
    "submit",
]
