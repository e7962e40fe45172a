"""The Teams activity handler: messages, card submissions, Universal Actions and installs, all routed to the core."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler

from bot.runtime import Runtime
from bot.teams.activities import (
    PERSONAL,
    Submission,
    bot_id,
    conversation_scope,
    event_key,
    locale_of,
    mention_entities,
    parse_submission,
)
from bot.teams.ballots import ballot_turn, is_ballot
from bot.teams.commands import route
from bot.teams.enrichment import TeamsEnricher, resolve_profiles
from bot.teams.forms import again_form, people_choices, unwrapped
from bot.teams.lookups import MemberLookups
from bot.teams.mentions import rewrite_mentions
from bot.teams.pacing import Pacer
from bot.teams.people import Account, account_of
from bot.teams.picker import people_from_picker
from bot.teams.private import answer_privately, queue_reply
from bot.teams.references import remember, remember_member
from bot.teams.replies import invoke_body, send_reply
from bot.teams.roster import sync_roster
from bot.teams.turns import TurnRequest, run_turn, sync_people
from handlers.context import Context, translator_for_person
from handlers.i18n import Translator, normalise_language
from handlers.messages import Reply, reply
from handlers.routing import help_reply, run_action, run_command, submit_form
from storage import people as people_store
from storage.events import claim_event
from storage.models import Person

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = frozenset({"pulse"})


def sorry(t: Translator) -> str:
    """What a person reads when their request failed and was rolled back."""
    return t("Sorry, something went wrong and nothing was saved. Please try again.")


class BravoTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    """Translates Teams activities into core commands, actions and forms; answers with Adaptive Cards."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        pacer: Pacer,
        wake: Callable[[], None] = lambda: None,
        lookups: MemberLookups | None = None,
    ) -> None:
        self.runtime = runtime
        self.database = runtime.database
        self.policy = runtime.policy
        self.pacer = pacer
        self.wake = wake
        self.universal = runtime.settings.teams_universal_actions
        self.lookups = lookups or MemberLookups()
        self.enricher = TeamsEnricher(self.lookups, runtime.database)
        # Lives only in this process: a double-submitted card is deduplicated here, and nobody can invert the key.
        self._fingerprint_key = secrets.token_bytes(32)

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Every turn; the people it introduced are described by the roster only once it has been answered."""
        try:
            await super().on_turn(turn_context)
        finally:
            self.enricher.after(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        submission = parse_submission(activity.value, card_id=activity.reply_to_id)
        if submission is None and activity.text is None:
            return
        try:
            if submission is not None:
                answer = await self._submit(turn_context, submission)
            else:
                answer = await self._command(turn_context)
        except Exception:  # noqa: BLE001 - nothing was committed; the person is told rather than left waiting
            log.exception("Teams message %s failed", activity.id)
            answer = reply(sorry(self._translator(turn_context)))
        await self._answer(turn_context, answer, late=submission is None or not is_ballot(submission))

    def _translator(self, turn_context: TurnContext) -> Translator:
        return Translator(normalise_language(turn_context.activity.locale, self.policy.language))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action")
        action = action if isinstance(action, dict) else {}
        submission = parse_submission(action.get("data") or {}, verb=action.get("verb"), card_id=activity.reply_to_id)
        t = self._translator(turn_context)
        shared = conversation_scope(activity) != PERSONAL
        if submission is None:
            gone = reply(t("That button is no longer available."))
            body = invoke_body(gone, universal=self.universal, fallback="", shared=shared)
            return InvokeResponse(status=200, body=body)
        try:
            answer = await self._submit(turn_context, submission)
        except Exception:  # noqa: BLE001 - nothing was committed; the card says so
            log.exception("Teams card action %s failed", activity.id)
            answer = reply(sorry(t))
        self.wake()
        if answer is not None:
            answer = await self._with_people_choices(answer)
        body = invoke_body(answer, universal=self.universal, fallback=t("Already done."), shared=shared)
        return InvokeResponse(status=200, body=body)

    async def _answer(self, turn_context: TurnContext, answer: Reply | None, *, late: bool = True) -> None:
        """Reply within the turn; when Teams refuses, queue it (unless `late` is False: an answer to a pulse tap
        is never stored, the person sees their card again with `pulse`)."""
        self.wake()
        if answer is None:
            return
        answer = await self._with_people_choices(answer)
        try:
            await send_reply(turn_context, answer, pacer=self.pacer, universal=self.universal)
        except Exception as error:  # noqa: BLE001 - the work is committed; a 500 would only make Teams redeliver
            if late:
                log.warning("Teams reply to %s not sent now (%s); queued instead", turn_context.activity.id, error)
                await self._queue_late_reply(turn_context, answer)
            else:
                log.warning("Teams reply to pulse tap %s not sent now (%s)", turn_context.activity.id, error)

    async def _queue_late_reply(self, turn_context: TurnContext, answer: Reply) -> None:
        """A reply Teams' pace (or an outage) kept from going out within the turn goes through the outbox, to the
        person's chat with Bravo; a form cannot wait and is dropped (the person can ask again)."""
        activity = turn_context.activity
        sender = account_of(activity.from_property)
        if answer.card is None or sender is None:
            return
        async with self.database.transaction() as session:
            person = await people_store.person_by_teams_id(session, teams_id=sender.id)
            if person is None:
                return
            await queue_reply(session, person, answer.card, key=f"{event_key(activity)}:late-reply")
        self.wake()

    async def _with_people_choices(self, answer: Reply) -> Reply:
        if answer.form is None:
            return answer
        async with self.database.sessions() as session:
            return answer.model_copy(update={"form": await people_choices(session, answer.form)})

    def _actor(self, turn_context: TurnContext) -> tuple[Account, dict[str, tuple[str | None, str | None]]]:
        activity = turn_context.activity
        actor = account_of(activity.from_property)
        if actor is None:
            raise ValueError("a Teams activity without a sender")
        return actor, {actor.id: (activity.locale, getattr(activity, "local_timezone", None))}

    async def _command(self, turn_context: TurnContext) -> Reply | None:
        """`kudos @alice thanks #teamwork`, `leaderboard`, `me`, `help`, `pulse`… typed in any conversation."""
        activity = turn_context.activity
        actor, locales = self._actor(turn_context)
        mentions = mention_entities(activity)
        own_id = bot_id(activity)
        mentioned = [
            Account(id=entity.account_id, name=entity.name) for entity in mentions if entity.account_id != own_id
        ]
        recognised = await resolve_profiles(
            turn_context, self.database, [actor, *mentioned], self.lookups, locales=locales
        )
        private = conversation_scope(activity) != PERSONAL

        async def use_case(ctx: Context, people: Mapping[str, Person]) -> Reply:
            ids = {account_id: person.id for account_id, person in people.items() if person.id is not None}
            text = rewrite_mentions(activity.text or "", mentions, person_ids=ids, bot_id=own_id)
            routed = route(text)
            if routed is None:
                shown = text if len(text) <= 60 else text[:59] + "…"
                return reply(ctx.t("Sorry, I don't know “{text}”. Type help to see what I can do.", text=shown))
            name, rest = routed
            answer = await run_command(ctx, name, rest)
            if private and name in PRIVATE_COMMANDS and answer.card is not None and not answer.public:
                return await answer_privately(ctx, answer.card)
            return answer

        # Typed commands are not claimed: each use case answers a redelivery as it answered the first delivery.
        request = TurnRequest(
            activity=activity, keys=[event_key(activity)], profiles=recognised.profiles, actor_id=actor.id, claim=False
        )
        answer = await run_turn(self.database, self.policy, request, use_case)
        self.enricher.note(turn_context, recognised.to_describe)
        return answer

    async def _submit(self, turn_context: TurnContext, submission: Submission) -> Reply | None:
        """A pressed button or a submitted form; the same card submitted twice with the same values counts once. A form
        naming someone Teams has not described in time comes back unsent, every answer kept (`bot.teams.forms`)."""
        activity = turn_context.activity
        actor, locales = self._actor(turn_context)
        submission = unwrapped(submission)
        if is_ballot(submission):
            answered = await ballot_turn(self.database, self.policy, activity, actor.id, submission)
            if answered is not None:
                return answered
        recognised = await resolve_profiles(turn_context, self.database, [actor], self.lookups, locales=locales)
        picked = await people_from_picker(turn_context, self.database, submission.people_inputs, self.lookups)
        self.enricher.settle(picked.pending)
        if submission.form and picked.missing:
            return Reply(form=again_form(self._translator(turn_context), submission, len(picked.missing)))
        keys = [event_key(activity)]
        if submission.card_id:
            keys.append(f"teams:card:{actor.id}:{submission.card_id}:{submission.fingerprint(self._fingerprint_key)}")
        shared = conversation_scope(activity) != PERSONAL

        async def use_case(ctx: Context, people: Mapping[str, Person]) -> Reply:
            if submission.form:
                chosen = await sync_people(ctx.session, picked.profiles)
                values = dict(submission.inputs)
                for name, accounts in submission.people_inputs.items():
                    values[name] = tuple(str(chosen[item].id) for item in accounts if item in chosen)
                return await submit_form(ctx, submission.form, values, submission.metadata)
            answer = await run_action(ctx, submission.action, submission.value)
            if shared and answer.replace_original and answer.card is not None:
                return await answer_privately(ctx, answer.card)  # the shared card stays as everyone sees it
            return answer

        request = TurnRequest(activity=activity, keys=keys, profiles=recognised.profiles, actor_id=actor.id)
        answer = await run_turn(self.database, self.policy, request, use_case)
        self.enricher.note(turn_context, recognised.to_describe)
        return answer

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Installs (the bot among `membersAdded`): store the reference, sync the roster, say hello.

        People joining later are synced one by one.
        """
        activity = turn_context.activity
        own_id = bot_id(activity)
        added = [account for member in activity.members_added or [] if (account := account_of(member))]
        if not added:
            return
        installed = any(account.id == own_id for account in added)
        people = [account for account in added if account.id != own_id]
        installer = account_of(activity.from_property)
        if installed and conversation_scope(activity) == PERSONAL and installer is not None:
            people.append(installer)
        recognised = await resolve_profiles(turn_context, self.database, people, self.lookups)
        async with self.database.transaction() as session:
            if not await claim_event(session, key=event_key(activity)):
                return
            synced = await sync_people(session, recognised.profiles)
            installer_person = synced.get(installer.id) if installer is not None else None
            person_id = installer_person.id if installer_person is not None else None
            await remember(session, activity, person_id=person_id if conversation_scope(activity) == PERSONAL else None)
            if conversation_scope(activity) != PERSONAL:
                for person in synced.values():
                    await remember_member(session, activity, person_id=person.id or 0)
        self.enricher.note(turn_context, recognised.to_describe)
        if not installed:
            return
        if conversation_scope(activity) != PERSONAL:
            try:
                count = await sync_roster(turn_context, self.database)
                log.info("Teams roster synced: %s people in %s", count, activity.conversation.id)
            except Exception:  # noqa: BLE001 - a roster failure must not lose the install
                log.exception("Teams roster sync failed for %s", activity.conversation.id)
        # A 1:1 chat is the installer's: welcome them in their language; a channel reads the workspace's.
        if conversation_scope(activity) == PERSONAL:
            t = translator_for_person(installer_person, self.policy, locale_of(activity))
        else:
            t = Translator(self.policy.language)
        await self._answer(turn_context, help_reply(t, self.policy))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Keep the reference current on (re)install; the welcome comes with the `conversationUpdate`."""
        async with self.database.transaction() as session:
            await remember(session, turn_context.activity, person_id=None)
