"""The standard conditions of grant each stream's offers carry, as versioned text: the stream's
latest version, or the department's (`tracker.domain.conditions`) where it has none. A change
is a new version; an offer freezes the text it was made with (`services/offers.py`), so a
change never alters what a grantee accepted, and an offer made before it keeps its text."""

from dataclasses import dataclass

from tracker.data import streams as stream_data
from tracker.data.store import DuplicateError, save
from tracker.domain.conditions import STANDARD_CONDITIONS, STANDARD_CONDITIONS_VERSION
from tracker.models import FundingStream, StreamConditions
from tracker.services import audit
from tracker.services.errors import RuleBroken

MOST_CONDITIONS = 50
LONGEST_CONDITION = 1_000  # characters


@dataclass(frozen=True)
class Conditions:
    of: str  # "stream" or "department"
    version: int
    text: list[str]

    def as_terms(self) -> dict:
        """As an offer's terms hold them."""
        return {"of": self.of, "version": self.version, "text": list(self.text)}


DEPARTMENT = Conditions(
    "department", STANDARD_CONDITIONS_VERSION, STANDARD_CONDITIONS[STANDARD_CONDITIONS_VERSION]
)


def of_stream(stream_id: int) -> Conditions:
    """The conditions an offer made from the stream now carries."""
    latest = stream_data.latest_conditions(stream_id)
    if latest is None:
        return DEPARTMENT
    return Conditions("stream", latest.version, list(latest.conditions))


def lines_of(text: str) -> list[str]:
    """One condition a line, blank lines and surrounding spaces left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def set_conditions(actor: audit.Actor, stream: FundingStream, text: str) -> StreamConditions | None:
    """A new version of the stream's standard conditions from `text` (one a line); None when
    it says what the current version says. Audited with the text before and after."""
    conditions = lines_of(text)
    if not conditions:
        raise RuleBroken("Enter at least one condition", "conditions")
    if len(conditions) > MOST_CONDITIONS:
        raise RuleBroken(f"Enter {MOST_CONDITIONS} conditions or fewer", "conditions")
    if any(len(line) > LONGEST_CONDITION for line in conditions):
        raise RuleBroken(
            f"Each condition must be {LONGEST_CONDITION:,} characters or fewer", "conditions"
        )
    current = of_stream(stream.id)
    if conditions == current.text:
        return None
    version = current.version + 1 if current.of == "stream" else 1
    made = StreamConditions(
        stream_id=stream.id, version=version, conditions=conditions, made_by_id=actor.user_id
    )
    try:
        save(made)
    except DuplicateError as error:  # another officer saved a version at the same moment
        raise RuleBroken(
            "Someone else changed the conditions at the same time: check them and save again",
            "conditions",
        ) from error
    audit.record(
        actor,
        "stream conditions changed",
        stream,
        before={"conditions": current.as_terms()},
        after={"conditions": made_terms(made)},
    )
    return made


def made_terms(made: StreamConditions) -> dict:
    return Conditions("stream", made.version, list(made.conditions)).as_terms()
