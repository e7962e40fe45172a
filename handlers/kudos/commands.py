"""`/kudos …`: giving recognition and looking at it (help, leaderboard, me, privacy)."""

from __future__ import annotations

from handlers.context import Capabilities, Context, timezone_of
from handlers.i18n import Translator
from handlers.kudos.allowance import remaining_allowance
from handlers.kudos.cards import reason_line, values_text
from handlers.kudos.form import form_reply
from handlers.kudos.give import give_from_text
from handlers.kudos.leaderboard import PERIODS, build_leaderboard, leaderboard_card, parse_period
from handlers.messages import Card, FieldItem, Line, Reply, Section, Text, compose, reply
from handlers.policy import Policy
from handlers.privacy import privacy_reply
from handlers.spelling import closest
from storage.kudos import history as kudos_history
from storage.kudos.history import KudosEntry

HISTORY_LIMIT = 5


SUBCOMMAND_WORDS = frozenset(
    {"help", "aide", "leaderboard", "top", "classement", "me", "moi", "privacy", "confidentialite", "confidentialité"}
)


def gives_kudos(text: str) -> bool:
    """Whether `/kudos <text>` gives a kudos, rather than opening the form or running a subcommand."""
    word = text.strip().partition(" ")[0].lower()
    return bool(word) and word not in SUBCOMMAND_WORDS


async def handle(ctx: Context, text: str) -> Reply:
    """`/kudos` alone opens the form; a known word runs that subcommand; anything else is a kudos."""
    stripped = text.strip()
    if gives_kudos(stripped):
        mistyped = _mistyped_subcommand(stripped)
        if mistyped:
            return reply(ctx.t("Did you mean /kudos {word}?", word=mistyped))
        return (await give_from_text(ctx, stripped, source="command")).reply
    word, _, rest = stripped.partition(" ")
    match word.lower():
        case "help" | "aide":
            return Reply(card=kudos_help(ctx.t, ctx.policy, ctx.capabilities))
        case "leaderboard" | "top" | "classement":
            return await leaderboard(ctx, rest)
        case "me" | "moi":
            return Reply(card=await my_kudos_card(ctx))
        case "privacy" | "confidentialite" | "confidentialité":
            return privacy_reply(ctx.t, ctx.policy)
    return await form_reply(ctx)


def _mistyped_subcommand(text: str) -> str | None:
    """`leaderbord` alone, with nobody mentioned, is a subcommand misspelled rather than a kudos to nobody."""
    if " " in text or "<" in text:
        return None
    return closest(text, SUBCOMMAND_WORDS)


async def leaderboard(ctx: Context, text: str) -> Reply:
    period = parse_period(text)
    if period is None:
        return reply(
            ctx.t("Pick a period: {periods}.", periods=", ".join(PERIODS)),
        )
    board = await build_leaderboard(ctx.session, ctx.policy, period=period, now=ctx.now)
    return Reply(card=leaderboard_card(ctx.t, board))


def kudos_help(t: Translator, policy: Policy, capabilities: Capabilities | None = None) -> Card:
    """Every way to give kudos the reader's platform offers (`capabilities`), and the rules, in their language."""
    can = capabilities or Capabilities()
    emoji = f":{policy.kudos_emoji}:"
    ways = [FieldItem(label="/kudos @name [points] reason #value", value=Line.of(t("recognise one or more people")))]
    if can.user_groups:
        ways.append(FieldItem(label="/kudos @group reason", value=Line.of(t("recognise a whole team (every member)"))))
    ways.append(FieldItem(label="/kudos", value=Line.of(t("open the kudos form"))))
    if can.emoji_kudos:
        in_message = t("in a channel message: a kudos for everyone mentioned")
        ways += [
            FieldItem(label=f"@name … {emoji}", value=Line.of(in_message)),
            FieldItem(label=emoji, value=Line.of(t("as a reaction: a kudos for the message's author"))),
        ]
    ways += [
        FieldItem(
            label="/kudos leaderboard [week|month|quarter|all]",
            value=Line.of(t("teams and people recognised the most")),
        ),
        FieldItem(
            label="/kudos me", value=Line.of(t("kudos you received and gave, and what you have left to give today"))
        ),
    ]
    rules = t(
        "You can give {allowance} points a day (reset at midnight in your time zone), at most {most} per person "
        "in one kudos. Say why, in at most {length} characters. Not to yourself, not to bots.",
        allowance=policy.daily_allowance,
        most=policy.max_points_per_kudos,
        length=policy.max_message_length,
    )
    return Card(
        title=t("Kudos: recognise your colleagues"),
        sections=(Section(fields=tuple(ways)), Section(text=Line.of(rules))),
        context=(Line.of(t("Company values: {values}", values=values_text(policy.company_values))),),
        summary=t("How to give kudos"),
    )


def _entry_line(t: Translator, entry: KudosEntry, *, received: bool) -> Line:
    points = t.plural("{count} point", "{count} points", entry.kudos.points)
    mentioned = {person.id or 0: person for person in entry.recipients}
    why = reason_line(entry.kudos.message, mentioned, {}) if entry.kudos.message else Line.of(t("for their message"))
    if received:
        head = compose(t("{giver}, {points}: "), giver=entry.giver.display_name, points=points)
    else:
        names = t.join(person.display_name for person in entry.recipients)
        if len(entry.recipients) > 1:
            head = compose(t("to {recipients}, {points} each: "), recipients=names, points=points)
        else:
            head = compose(t("to {recipients}, {points}: "), recipients=names, points=points)
    parts = [*head.parts, *why.parts]
    if entry.values:
        parts.append(Text(text=f" {values_text(entry.values)}"))
    return Line(parts=tuple(parts))


async def my_kudos_sections(ctx: Context) -> tuple[Section, ...]:
    """Totals, what is left today, top values and the latest kudos received and given."""
    t = ctx.t
    person_id = ctx.actor.id or 0
    totals = await kudos_history.summary(ctx.session, person_id=person_id)
    left = await remaining_allowance(ctx)
    values = await kudos_history.top_values(ctx.session, person_id=person_id)
    fields = [
        FieldItem(
            label=t("Received"),
            value=Line.of(
                t.plural("{count} point", "{count} points", totals.received_points)
                + " · "
                + t.plural("{count} kudos", "{count} kudos", totals.received_kudos)
            ),
        ),
        FieldItem(
            label=t("Given"),
            value=Line.of(
                t.plural("{count} point", "{count} points", totals.given_points)
                + " · "
                + t.plural("{count} kudos", "{count} kudos", totals.given_kudos)
            ),
        ),
        FieldItem(
            label=t("Left to give today"),
            value=Line.of(
                t(
                    "{left} of {allowance} (resets at midnight, {timezone})",
                    left=left,
                    allowance=ctx.policy.daily_allowance,
                    timezone=timezone_of(ctx.actor, ctx.policy).key,
                )
            ),
        ),
    ]
    if values:
        fields.append(
            FieldItem(label=t("Top values"), value=Line.of(", ".join(f"#{value} ({count})" for value, count in values)))
        )
    sections = [Section(fields=tuple(fields))]
    received = await kudos_history.received_by(ctx.session, person_id=person_id, limit=HISTORY_LIMIT)
    given = await kudos_history.given_by(ctx.session, person_id=person_id, limit=HISTORY_LIMIT)
    if received:
        sections.append(Section(text=Line.of(t("Latest kudos received"))))
        sections.extend(Section(text=_entry_line(t, entry, received=True), quote=True) for entry in received)
    if given:
        sections.append(Section(text=Line.of(t("Latest kudos given"))))
        sections.extend(Section(text=_entry_line(t, entry, received=False), quote=True) for entry in given)
    if not received and not given:
        sections.append(Section(text=Line.of(t("No kudos yet. Recognise a colleague: /kudos @name thanks for …"))))
    return tuple(sections)


async def my_kudos_card(ctx: Context) -> Card:
    title = ctx.t("Your kudos")
    return Card(title=title, sections=await my_kudos_sections(ctx), summary=title)
