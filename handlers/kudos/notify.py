"""A kudos' effects, queued in the same transaction: the public post and a message to each recipient.

The post is in the workspace's language (a channel has many readers); each message is in its recipient's. Both go
through the delivery outbox with keys derived from the kudos, so they are delivered once even if queued twice.
"""

from __future__ import annotations

from handlers.context import Context, translator_for_person
from handlers.delivery import NewDelivery, channel_delivery, person_deliveries, recognition_channel
from handlers.i18n import Translator
from handlers.kudos.cards import KudosFacts, recipient_message, recognition_post


def kudos_effects(ctx: Context, facts: KudosFacts, kudos_id: int) -> list[NewDelivery]:
    """The public post (workspace language) and a message to each recipient (their language)."""
    effects: list[NewDelivery] = []
    channel = recognition_channel(ctx.policy, ctx.platform)
    if channel:
        card = recognition_post(Translator(ctx.policy.language), facts)
        effects.append(
            channel_delivery(
                platform=ctx.platform,
                channel=channel,
                card=card,
                kind="kudos_post",
                dedupe_key=f"kudos:{kudos_id}:post",
            )
        )
    seen: set[int | None] = set()
    for person in (*facts.people, *facts.team_members):
        if person.id in seen:
            continue
        if ctx.platform != "console" and not (person.slack_id or person.teams_id):
            continue  # in the directory but on no chat platform yet: nobody could deliver it
        seen.add(person.id)
        t = translator_for_person(person, ctx.policy)
        effects += person_deliveries(
            person=person,
            card=recipient_message(t, facts, person),
            kind="kudos_dm",
            platforms=ctx.policy.platforms,
            dedupe_key=f"kudos:{kudos_id}:dm:{person.id}",
        )
    return effects
