"""Question rotation and the pulse calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from handlers.policy import Policy
from handlers.pulse.plan import Plan, due_day, is_pulse_day, parse_clock, parse_weekday, resolve_plan, send_instant
from handlers.pulse.questions import ENPS_DRIVER
from handlers.pulse.rotation import PastRound, choose_questions


@dataclass(frozen=True)
class Q:
    id: int
    driver: str


def bank(drivers: int, per_driver: int = 3) -> list[Q]:
    questions = [Q(d * 10 + n, f"d{d}") for d in range(drivers) for n in range(per_driver)]
    return [*questions, Q(999, ENPS_DRIVER)]


@given(drivers=st.integers(min_value=1, max_value=12), count=st.integers(min_value=1, max_value=5))
def test_drivers_take_turns_so_each_comes_back_after_the_others(drivers: int, count: int) -> None:
    """Round robin: any `drivers` consecutive driver slots (eNPS aside) hold every driver, so with k questions per
    pulse each driver comes back within ceil(drivers / k) pulses, plus the odd monthly eNPS slot."""
    questions = bank(drivers)
    history: list[PastRound] = []
    picks: list[str] = []
    day = date(2026, 1, 6)
    for _ in range(3 * drivers):
        chosen = choose_questions(questions, history, count, day)
        assert len(chosen) == min(count, drivers + 1) or len(chosen) == min(count, drivers)
        picks.extend(q.driver for q in chosen if q.driver != ENPS_DRIVER)
        history.append(PastRound(day, tuple(q.id for q in chosen)))
        day += timedelta(days=7)
    for start in range(len(picks) - drivers + 1):
        assert set(picks[start : start + drivers]) == {f"d{d}" for d in range(drivers)}


def test_enps_is_asked_first_time_then_at_most_every_28_days() -> None:
    questions = bank(4)
    history: list[PastRound] = []
    day = date(2026, 1, 6)
    asked_on = []
    for _ in range(12):
        chosen = choose_questions(questions, history, 3, day)
        if any(q.driver == ENPS_DRIVER for q in chosen):
            asked_on.append(day)
        history.append(PastRound(day, tuple(q.id for q in chosen)))
        day += timedelta(days=7)
    assert asked_on[0] == date(2026, 1, 6)
    assert all(later - earlier >= timedelta(days=28) for earlier, later in zip(asked_on, asked_on[1:], strict=False))
    assert len(asked_on) == 3


def test_questions_within_a_driver_rotate_too() -> None:
    questions = [Q(1, "a"), Q(2, "a"), Q(3, "a")]
    history: list[PastRound] = []
    picked = []
    for week in range(3):
        chosen = choose_questions(questions, history, 1, date(2026, 1, 6) + timedelta(days=7 * week))
        picked.append(chosen[0].id)
        history.append(PastRound(date(2026, 1, 6), (chosen[0].id,)))
    assert picked == [1, 2, 3]


def test_weekdays_and_times_are_read_leniently_and_strictly() -> None:
    assert parse_weekday("Tuesday") == 1 and parse_weekday("fri") == 4 and parse_weekday("6") == 6
    assert parse_weekday("mo") is None and parse_weekday("funday") is None
    assert parse_clock("9:30") == "09:30" and parse_clock("24:00") is None and parse_clock("10h") is None


def test_stored_layers_override_the_settings_field_by_field() -> None:
    @dataclass
    class Layer:
        cadence: str | None = None
        weekday: int | None = None
        local_time: str | None = None
        questions: int | None = None
        window_hours: int | None = None
        enabled: bool | None = None

    plan = resolve_plan(Policy(), (Layer(cadence="monthly"), Layer(weekday=0, enabled=False)))
    assert plan == Plan(cadence="monthly", weekday=0, local_time="10:00", questions=3, window_hours=48, enabled=False)


def test_cadences() -> None:
    weekly = Plan("weekly", 1, "10:00", 3, 48)
    assert is_pulse_day(weekly, date(2026, 11, 17)) and not is_pulse_day(weekly, date(2026, 11, 18))
    biweekly = Plan("biweekly", 1, "10:00", 3, 48)
    assert [is_pulse_day(biweekly, date(2026, 11, 17) + timedelta(days=7 * n)) for n in range(4)] == [
        date(2026, 11, 17).isocalendar().week % 2 == 0,
        date(2026, 11, 24).isocalendar().week % 2 == 0,
        date(2026, 12, 1).isocalendar().week % 2 == 0,
        date(2026, 12, 8).isocalendar().week % 2 == 0,
    ]
    monthly = Plan("monthly", 1, "10:00", 3, 48)
    assert is_pulse_day(monthly, date(2026, 12, 1)) and not is_pulse_day(monthly, date(2026, 11, 17))


def test_a_pulse_is_due_at_the_earliest_members_local_time() -> None:
    plan = Plan("weekly", 1, "10:00", 3, 48)
    zones = [ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]
    paris_ten = send_instant(plan, date(2026, 11, 17), ZoneInfo("Europe/Paris"))
    assert paris_ten == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert due_day(plan, zones, paris_ten - timedelta(minutes=1)) is None
    assert due_day(plan, zones, paris_ten) == date(2026, 11, 17)
    assert due_day(plan, zones, paris_ten + timedelta(hours=13)) is None
    assert due_day(Plan("weekly", 1, "10:00", 3, 48, enabled=False), zones, paris_ten) is None
