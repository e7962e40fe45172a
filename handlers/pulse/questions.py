"""The question bank: answer scales, drivers, the shipped questions and the file format admins add their own in.

The file format is the shipped bank's (`handlers/pulse/bank/questions.json`):
`{"questions": [{"key": "…", "driver": "workload", "scale": "agree5", "text": {"en": "…", "fr": "…"}}]}`;
`key` and `fr` are optional.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from handlers.errors import Problem, _
from handlers.i18n import Translator

CHECKIN_SCALE = "helped3"
SCALES: dict[str, tuple[int, ...]] = {
    "agree5": (1, 2, 3, 4, 5),
    "scale10": tuple(range(11)),
    "yesno": (1, 0),
    "emoji5": (1, 2, 3, 4, 5),
    CHECKIN_SCALE: (2, 1, 0),  # yes, somewhat, no: only the check-in question after a team's action
}
# The scales an admin's questions may use; the check-in's is Bravo's own.
ADMIN_SCALES = tuple(scale for scale in SCALES if scale != CHECKIN_SCALE)
# The one question of an action's check-in ("did it help?"): never in a pulse, never in the bank's listing.
CHECKIN_DRIVER = "action-checkin"
CHECKIN_KEY = "action-checkin"
EMOJI = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}
ENPS_DRIVER = "enps"
DRIVERS: tuple[str, ...] = (
    "purpose",
    "goals",
    "tools",
    "autonomy",
    "recognition",
    "respect",
    "workload",
    "wellbeing",
    "manager",
    "collaboration",
    ENPS_DRIVER,
)
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
DRIVER_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
MAX_TEXT_LENGTH = 300


def scale_labels(t: Translator, scale: str) -> dict[int, str]:
    """Each answer's button label, in the reader's language."""
    if scale == "agree5":
        return {
            1: t("Strongly disagree"),
            2: t("Disagree"),
            3: t("Neutral"),
            4: t("Agree"),
            5: t("Strongly agree"),
        }
    if scale == "yesno":
        return {1: t("Yes"), 0: t("No")}
    if scale == CHECKIN_SCALE:
        return {2: t("Yes"), 1: t("Somewhat"), 0: t("No")}
    if scale == "emoji5":
        return dict(EMOJI)
    return {value: str(value) for value in SCALES.get(scale, ())}


def scale_maximum(scale: str) -> int:
    return max(SCALES[scale])


def on_ten(scale: str, value: float) -> float:
    """An answer (or average) on a common 0–10 scale, so that drivers mixing scales can be averaged."""
    if scale in ("agree5", "emoji5"):
        return (value - 1) * 2.5
    if scale == "yesno":
        return value * 10
    if scale == CHECKIN_SCALE:
        return value * 5
    return value


def driver_name(t: Translator, driver: str) -> str:
    """A driver's name in the reader's language; an admin's own driver shows as written."""
    return _driver_names(t.language).get(driver, driver)


@lru_cache(maxsize=16)
def _driver_names(language: str) -> dict[str, str]:
    """Every driver's name in `language`, translated once per process: a digest run names drivers by the ten
    thousand. Never modified by callers."""
    t = Translator(language)
    return {
        "purpose": t("Purpose"),
        "goals": t("Goals"),
        "tools": t("Tools"),
        "autonomy": t("Autonomy"),
        "recognition": t("Recognition"),
        "respect": t("Respect"),
        "workload": t("Workload"),
        "wellbeing": t("Wellbeing"),
        "manager": t("Relationship with the manager"),
        "collaboration": t("Team collaboration"),
        ENPS_DRIVER: t("eNPS"),
    }


@dataclass(frozen=True)
class QuestionSpec:
    """A question as written in a file or on the command line, before it is stored."""

    driver: str
    scale: str
    text_en: str
    text_fr: str
    key: str | None = None


BAD_KEY = "bad_key"
BAD_DRIVER = "bad_driver"
UNKNOWN_SCALE = "unknown_scale"
ENPS_SCALE = "enps_scale"
EMPTY_TEXT = "empty_text"
TEXT_TOO_LONG = "text_too_long"
RESERVED = "reserved"
SPEC_MESSAGES = {
    BAD_KEY: _("the key '{key}' may only use a-z, 0-9, '.', '_' and '-'"),
    BAD_DRIVER: _("the driver '{driver}' may only use a-z, 0-9 and '-'"),
    UNKNOWN_SCALE: _("unknown scale '{scale}' (use {scales})"),
    RESERVED: _("'{name}' is kept for the check-ins after a team's actions"),
    ENPS_SCALE: _("eNPS questions use the 0-10 scale"),
    EMPTY_TEXT: _("the question text is empty"),
    TEXT_TOO_LONG: _("the question text is longer than {limit} characters"),
}


def question_spec(*, driver: str, scale: str, english: str, french: str = "", key: str = "") -> QuestionSpec:
    """A question as an admin wrote it: trimmed, names in lower case; without French, the English is used."""
    english = english.strip()
    return QuestionSpec(
        driver=driver.strip().lower(),
        scale=scale.strip().lower(),
        text_en=english,
        text_fr=french.strip() or english,
        key=key.strip().lower() or None,
    )


def spec_issue(spec: QuestionSpec) -> Problem | None:
    """The first rule a question breaks, or None when it can be stored."""
    if spec.key is not None and not KEY_PATTERN.match(spec.key):
        return Problem(BAD_KEY, {"key": spec.key[:70]})
    if not DRIVER_PATTERN.match(spec.driver):
        return Problem(BAD_DRIVER, {"driver": spec.driver[:40]})
    if CHECKIN_DRIVER in (spec.driver, spec.key):
        return Problem(RESERVED, {"name": CHECKIN_DRIVER})
    if spec.scale not in ADMIN_SCALES:
        return Problem(UNKNOWN_SCALE, {"scale": spec.scale[:20], "scales": ", ".join(ADMIN_SCALES)})
    if spec.driver == ENPS_DRIVER and spec.scale != "scale10":
        return Problem(ENPS_SCALE)
    for text in (spec.text_en, spec.text_fr):
        if not text.strip():
            return Problem(EMPTY_TEXT)
        if len(text) > MAX_TEXT_LENGTH:
            return Problem(TEXT_TOO_LONG, {"limit": MAX_TEXT_LENGTH})
    return None


def spec_problem(spec: QuestionSpec, t: Translator) -> str | None:
    """Why a question cannot be stored, or None."""
    issue = spec_issue(spec)
    return None if issue is None else t(SPEC_MESSAGES[issue.code], **issue.values)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _spec(item: object) -> QuestionSpec | None:
    if not isinstance(item, dict):
        return None
    texts = item.get("text")
    texts = texts if isinstance(texts, dict) else item
    return question_spec(
        driver=_text(item.get("driver")),
        scale=_text(item.get("scale")),
        english=_text(texts.get("en")),
        french=_text(texts.get("fr")),
        key=_text(item.get("key")),
    )


def parse_question_file(text: str, t: Translator) -> tuple[list[QuestionSpec], list[str]]:
    """Good questions and one line per bad one (numbered from 1); never raises on any input."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        return [], [t("not valid JSON: {error}", error=str(error)[:200])]
    items = document.get("questions") if isinstance(document, dict) else document
    if not isinstance(items, list):
        return [], [t('expected a list of questions under "questions"')]
    specs: list[QuestionSpec] = []
    errors: list[str] = []
    keys: set[str] = set()
    for number, item in enumerate(items, start=1):
        spec = _spec(item)
        problem = t("not a question object") if spec is None else spec_problem(spec, t)
        if spec is not None and problem is None and spec.key in keys:
            problem = t("the key '{key}' appears twice", key=spec.key or "")
        if problem is not None or spec is None:
            errors.append(t("question {number}: {problem}", number=number, problem=problem or ""))
            continue
        if spec.key:
            keys.add(spec.key)
        specs.append(spec)
    return specs, errors


def builtin_bank() -> list[QuestionSpec]:
    """The questions Bravo ships, grouped by driver, in English and French."""
    text = resources.files("handlers.pulse.bank").joinpath("questions.json").read_text(encoding="utf-8")
    specs, errors = parse_question_file(text, Translator("en"))
    if errors:
        raise ValueError("the shipped question bank is invalid: " + "; ".join(errors))
    return specs
