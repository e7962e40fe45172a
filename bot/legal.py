"""`GET /privacy` and `GET /terms`: the short pages a Teams app manifest links to, served by Bravo itself.

Teams shows an app's privacy and terms links in its store listing; they must lead somewhere true. The privacy page
is the `/kudos privacy` card people already see in chat, so the two cannot disagree; both pages are in English and
French, on one page, since the reader's language is unknown here.
"""

from __future__ import annotations

import html

from aiohttp import web

from bot.console.render import render_line
from handlers.i18n import SUPPORTED_LANGUAGES, Translator
from handlers.messages import Card, Line, Section
from handlers.policy import Policy
from handlers.privacy import privacy_reply

POLICY_KEY = web.AppKey("legal_policy", Policy)


def terms_card(t: Translator) -> Card:
    """The terms of use: what Bravo is, who runs it, what is expected of the people using it."""
    paragraphs = (
        t("Bravo is your organisation's own tool for recognising colleagues and answering short anonymous pulses."),
        t("Your organisation runs it and is responsible for it: ask your administrator about anything on this page."),
        t("Kudos are public recognition: keep them kind and true. Do not use Bravo to share confidential information."),
        t("Pulse answers are anonymous; free-text comments are shown with the results, so leave names out of them."),
    )
    return Card(title=t("Bravo: terms of use"), sections=tuple(Section(text=Line.of(text)) for text in paragraphs))


def _line(line: Line) -> str:
    return html.escape(render_line(line))


def card_html(card: Card, language: str) -> str:
    """One language's part of a page: the card's title, paragraphs, label/value pairs and small print."""
    parts = [f'<section lang="{language}">', f"<h1>{html.escape(card.title or '')}</h1>"]
    for section in card.sections:
        if section.text is not None:
            parts.append(f"<p>{_line(section.text)}</p>")
        if section.fields:
            parts.append("<dl>")
            parts.extend(f"<dt>{html.escape(item.label)}</dt><dd>{_line(item.value)}</dd>" for item in section.fields)
            parts.append("</dl>")
    parts.extend(f"<p><small>{_line(line)}</small></p>" for line in card.context)
    parts.append("</section>")
    return "\n".join(parts)


def page(cards: list[tuple[str, Card]]) -> web.Response:
    body = "\n<hr>\n".join(card_html(card, language) for language, card in cards)
    document = (
        '<!doctype html>\n<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(cards[0][1].title or 'Bravo')}</title></head><body>\n{body}\n</body></html>\n"
    )
    return web.Response(text=document, content_type="text/html", charset="utf-8")


async def privacy_page(request: web.Request) -> web.Response:
    policy = request.app[POLICY_KEY]
    cards = []
    for language in SUPPORTED_LANGUAGES:
        card = privacy_reply(Translator(language), policy).card
        if card is not None:
            cards.append((language, card))
    return page(cards)


async def terms_page(_request: web.Request) -> web.Response:
    return page([(language, terms_card(Translator(language))) for language in SUPPORTED_LANGUAGES])


def mount_legal(app: web.Application, policy: Policy) -> None:
    """Serve `/privacy` and `/terms`, the addresses `bravo teams-package` puts in the manifest by default."""
    app[POLICY_KEY] = policy
    app.router.add_get("/privacy", privacy_page)
    app.router.add_get("/terms", terms_page)
