"""The soak's mixed deliveries, as Slack and Teams send them: `/kudos` commands, `:clap:` reactions, emoji messages
(`<@U…> :clap: …` in a channel), pulse button taps (keyed ballots), kudos form submissions and Teams kudos.

Each delivery's body is made once and kept, so a resend is the same delivery: Slack signs it again (a fresh
timestamp) and adds `X-Slack-Retry-Num` (1, 2, …); Teams posts the same activity, with the same id, again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.processes import SECRET_KEY, SIGNING_SECRET
from handlers.pulse.tokens import Ballot, ballot_token
from tests.fakes import teams_activities as ta
from tests.fakes.slack_requests import (
    block_actions,
    event_callback,
    message_event,
    reaction_added_event,
    sign,
    slash_command,
    view_submission,
)
from tests.soak.harness import Request

KINDS = ("command", "reaction", "message", "tap", "form", "teams")
KUDOS_KINDS = frozenset(KINDS) - {"tap"}
CHANNEL = "C_GENERAL"
ANSWER = 1  # a valid answer on every scale (agree 1–5, 0–10, yes/no)
ANSWER_ACTION = "pulse.answer|0"


def kind_of(index: int) -> str:
    return KINDS[index % len(KINDS)]


def described(requests: int) -> str:
    counts = {kind: sum(1 for index in range(requests) if kind_of(index) == kind) for kind in KINDS}
    return f"{requests} deliveries ({', '.join(f'{count} {kind}' for kind, count in counts.items())})"


def slack_user(person: int) -> str:
    """The benchmark organisation's Slack id of person `person` (also their person id)."""
    return f"U{person:07d}"


def teams_name(person: int) -> str:
    """The display name the benchmark organisation gives person `person`, also their Teams name."""
    return f"Person {person}"


def teams_email(person: int) -> str:
    return f"person{person}@bench.test"


@dataclass(frozen=True)
class Pulse:
    """A person's open round and its question ids in the order asked."""

    round_id: int
    questions: tuple[int, ...]


@dataclass(frozen=True)
class Tap:
    """One answer: who, which round and question (by position and id)."""

    person: int
    round_id: int
    position: int
    question_id: int


@dataclass
class Mix:
    """The deliveries of one run; `pulses` and `dm_ts` say where each person's pulse is (its DM's timestamp)."""

    run: str
    people: int
    slack_url: str
    teams_url: str
    service_url: str
    pulses: Mapping[int, Pulse]
    dm_ts: Mapping[str, str]
    bodies: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Where a command's late answer goes ("Working on it…", then the result): the fake Slack serves it.
    response_url: str = "https://hooks.slack.com/commands/T1/1/soak"

    def pair(self, index: int) -> tuple[int, int]:
        """(giver, recipient) person numbers, never the same person."""
        giver = index % self.people + 1
        recipient = (index * 7 + 3) % self.people + 1
        if recipient == giver:
            recipient = recipient % self.people + 1
        return giver, recipient

    def teams_people(self, requests: int) -> set[int]:
        """Who gives or receives the Teams kudos among the first `requests` deliveries."""
        return {person for index in range(requests) if kind_of(index) == "teams" for person in self.pair(index)}

    def message_ts(self, index: int) -> str:
        return f"{1700000000 + int(self.run.removeprefix('soak')) % 100000}.{index:06d}"

    def tap(self, index: int) -> Tap:
        """The `index // len(KINDS)`-th tap: everybody's first question, then everybody's second, … (each person
        answers each question once)."""
        number = index // len(KINDS)
        person = number % self.people + 1
        pulse = self.pulses[person]
        position = (number // self.people) % len(pulse.questions)
        assert number < self.people * len(pulse.questions), "more taps than questions to answer"
        return Tap(person, pulse.round_id, position, pulse.questions[position])

    def request(self, index: int, attempt: int = 0) -> Request:
        """The delivery as sent the `attempt`-th time (0: the first)."""
        if index not in self.bodies:
            self.bodies[index] = self._body(index)
        body, content_type = self.bodies[index]
        if kind_of(index) == "teams":
            return self.teams_url, body.encode(), {"Content-Type": content_type}
        headers = {"Content-Type": content_type, **sign(body, SIGNING_SECRET)}
        if attempt:
            headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
        return self.slack_url, body.encode(), headers

    def kudos_key(self, index: int) -> str:
        """The idempotency key of the kudos the delivery gives (Teams': its prefix, the activity id)."""
        kind, (giver, _recipient) = kind_of(index), self.pair(index)
        if kind == "command":
            return f"slack:command:{self.run}.{index}.soak"
        if kind == "reaction":
            return f"slack:reaction:{CHANNEL}:{self.message_ts(index)}:{slack_user(giver)}:clap"
        if kind == "message":
            return f"slack:message:{CHANNEL}:{self.message_ts(index)}"
        if kind == "form":
            return f"slack:view:V{self.run}x{index}"
        if kind == "teams":
            self.request(index)
            return f"teams:{json.loads(self.bodies[index][0])['id']}:"
        raise ValueError(f"delivery {index} ({kind}) gives no kudos")

    def _body(self, index: int) -> tuple[str, str]:
        kind, (giver, recipient) = kind_of(index), self.pair(index)
        reason = f"thanks for the help on request {index} #teamwork"
        if kind == "command":
            return slash_command(
                text=f"<@{slack_user(recipient)}|person{recipient}> {reason}",
                user_id=slack_user(giver),
                channel_id=CHANNEL,
                trigger_id=f"{self.run}.{index}.soak",
                response_url=self.response_url,
            )
        if kind == "reaction":
            event = reaction_added_event(
                "clap", user=slack_user(giver), channel=CHANNEL, item_ts=self.message_ts(index),
                item_user=slack_user(recipient),
            )  # fmt: skip
            return event_callback(event, event_id=f"Ev{self.run}x{index}")
        if kind == "message":
            text = f"<@{slack_user(recipient)}> :clap: {reason}"
            event = message_event(text, user=slack_user(giver), channel=CHANNEL, ts=self.message_ts(index))
            return event_callback(event, event_id=f"Ev{self.run}x{index}")
        if kind == "tap":
            return self._tap_body(index)
        if kind == "form":
            return self._form_body(index, giver, recipient, reason)
        return self._teams_body(giver, recipient, reason)

    def _tap_body(self, index: int) -> tuple[str, str]:
        """A tap on an answer button of the person's pulse DM, its ballot made as Bravo makes it."""
        tap = self.tap(index)
        user = slack_user(tap.person)
        token = ballot_token(SECRET_KEY, tap.round_id, tap.person)
        value = Ballot(tap.round_id, tap.position, 0, token).answer(ANSWER)
        posted = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": "", "ts": self.dm_ts[user]}
        return block_actions(
            ANSWER_ACTION, value, block_id="pulse", user_id=user, channel_id=f"D{user}", message=posted,
            trigger_id=f"{self.run}.{index}.tap",
        )  # fmt: skip

    def _form_body(self, index: int, giver: int, recipient: int, reason: str) -> tuple[str, str]:
        return kudos_form(giver, recipient, reason, view_id=f"V{self.run}x{index}")

    def _teams_body(self, giver: int, recipient: int, reason: str) -> tuple[str, str]:
        """`kudos @someone …` in the giver's personal chat with Bravo."""
        mentioned = ta.teams_user(teams_name(recipient))
        activity = ta.personal_message(
            f"kudos <at>{teams_name(recipient)}</at> {reason}", service_url=self.service_url,
            from_user=ta.teams_user(teams_name(giver)), mentions=[mentioned],
        )  # fmt: skip
        return json.dumps(activity), "application/json"


def kudos_form(giver: int, recipient: int, reason: str, *, view_id: str) -> tuple[str, str]:
    """The kudos form submitted in CHANNEL: one recipient, one point, one value (`reason` ends with it)."""
    teamwork = {"text": {"type": "plain_text", "text": "#teamwork"}, "value": "teamwork"}
    values = {
        "people": {"value": {"type": "multi_users_select", "selected_users": [slack_user(recipient)]}},
        "points": {"value": {"type": "number_input", "value": "1"}},
        "values": {"value": {"type": "multi_static_select", "selected_options": [teamwork]}},
        "message": {"value": {"type": "plain_text_input", "value": reason.removesuffix(" #teamwork")}},
    }
    return view_submission(
        "kudos.give", values, private_metadata=json.dumps({"channel": CHANNEL}), view_id=view_id,
        user_id=slack_user(giver),
    )  # fmt: skip


def roster(people: int) -> list[dict[str, object]]:
    """Teams' roster of the organisation: the same people, matched to the directory by email."""
    return [ta.roster_member(teams_name(person), email=teams_email(person)) for person in range(1, people + 1)]
