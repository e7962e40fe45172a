"""The Teams app package: manifest (bot id, scopes, commands, French localisation) and icons, zipped for upload."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from bot.teams.icons import ACCENT, color_icon, outline_icon
from handlers.i18n import Translator

MANIFEST_VERSION = "1.16"
SCHEMA = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.Localization.schema.json"
SCOPES = ["personal", "team", "groupChat"]
FRENCH_FILE = "fr-fr.json"


@dataclass(frozen=True)
class PackageOptions:
    """What the manifest needs beyond the bot id: where Bravo lives and who publishes it."""

    bot_id: str
    public_url: str = "https://example.com/bravo"
    developer: str = "Bravo"
    daily_allowance: int = 5
    privacy_url: str = ""  # default: the page Bravo serves at <public_url>/privacy
    terms_url: str = ""  # default: <public_url>/terms


def https_address(value: str) -> bool:
    """Teams refuses a manifest whose addresses are not HTTPS with a host."""
    parts = urlsplit(value.strip())
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def _version() -> str:
    try:
        return metadata.version("bravo")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def _texts(t: Translator, daily_allowance: int) -> dict[str, Any]:
    return {
        "name": {"short": "Bravo", "full": t("Bravo: kudos and pulse checks")},
        "description": {
            "short": t("Recognise colleagues and tell us how it's going."),
            "full": t(
                "Give kudos tied to the company values, answer short anonymous pulse checks, and follow team "
                "digests and collective reward leaderboards."
            ),
        },
        "commands": [
            ("kudos", t("Recognise colleagues ({allowance} points a day to give)", allowance=daily_allowance)),
            ("leaderboard", t("Teams and people recognised the most")),
            ("me", t("Kudos you received and gave, and what you can still give today")),
            ("pulse", t("Answer your open pulse questions")),
            ("help", t("What Bravo can do")),
        ],
    }


def manifest(options: PackageOptions) -> dict[str, Any]:
    """The app manifest in English (the default language)."""
    texts = _texts(Translator("en"), options.daily_allowance)
    base = options.public_url.rstrip("/")
    host = urlsplit(base).hostname or ""
    commands = [{"title": title, "description": description} for title, description in texts["commands"]]
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": _version(),
        "id": options.bot_id,
        "developer": {
            "name": options.developer,
            "websiteUrl": base,
            "privacyUrl": options.privacy_url or f"{base}/privacy",
            "termsOfUseUrl": options.terms_url or f"{base}/terms",
        },
        "name": texts["name"],
        "description": texts["description"],
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": options.bot_id,
                "scopes": SCOPES,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": SCOPES, "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host else [],
        "localizationInfo": {
            "defaultLanguageTag": "en-us",
            "additionalLanguages": [{"languageTag": "fr-fr", "file": FRENCH_FILE}],
        },
    }


def french_localization(options: PackageOptions) -> dict[str, Any]:
    """The manifest's texts in French; command titles stay what people type."""
    texts = _texts(Translator("fr"), options.daily_allowance)
    localized: dict[str, Any] = {
        "$schema": LOCALIZATION_SCHEMA,
        "name.short": texts["name"]["short"],
        "name.full": texts["name"]["full"],
        "description.short": texts["description"]["short"],
        "description.full": texts["description"]["full"],
    }
    for index, (title, description) in enumerate(texts["commands"]):
        localized[f"bots[0].commandLists[0].commands[{index}].title"] = title
        localized[f"bots[0].commandLists[0].commands[{index}].description"] = description
    return localized


def build_package(options: PackageOptions) -> bytes:
    """The zip Teams accepts: manifest.json, color.png, outline.png (and the French texts) at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(options), indent=2, ensure_ascii=False))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
        archive.writestr(FRENCH_FILE, json.dumps(french_localization(options), indent=2, ensure_ascii=False))
    return buffer.getvalue()
