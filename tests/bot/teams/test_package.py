"""`bravo teams-package` writes a zip Teams accepts: manifest naming the bot, scopes, commands and both icons."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

from bot.teams.package import PackageOptions, build_package
from tests.bot.test_cli import bravo

BOT_ID = "11111111-2222-3333-4444-555555555555"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_package_holds_the_manifest_and_icons_of_the_right_sizes() -> None:
    archive = zipfile.ZipFile(
        io.BytesIO(build_package(PackageOptions(bot_id=BOT_ID, public_url="https://bravo.acme.example")))
    )
    assert {"manifest.json", "color.png", "outline.png"} <= set(archive.namelist())
    assert png_size(archive.read("color.png")) == (192, 192)
    assert png_size(archive.read("outline.png")) == (32, 32)
    manifest = json.loads(archive.read("manifest.json"))
    (bot,) = manifest["bots"]
    assert manifest["id"] == bot["botId"] == BOT_ID and manifest["manifestVersion"] == "1.16"
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    titles = [command["title"] for command in bot["commandLists"][0]["commands"]]
    assert titles == ["kudos", "leaderboard", "me", "pulse", "help"]
    assert manifest["validDomains"] == ["bravo.acme.example"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    french = json.loads(archive.read(manifest["localizationInfo"]["additionalLanguages"][0]["file"]))
    assert french["name.full"].startswith("Bravo") and "Ce que Bravo sait faire" in french.values()


def test_the_outline_icon_is_white_on_transparent() -> None:
    archive = zipfile.ZipFile(io.BytesIO(build_package(PackageOptions(bot_id=BOT_ID))))
    data = archive.read("outline.png")
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    rows = [raw[row * (1 + 32 * 4) + 1 : (row + 1) * (1 + 32 * 4)] for row in range(32)]
    pixels = [tuple(row[i : i + 4]) for row in rows for i in range(0, len(row), 4)]
    assert {pixel[:3] for pixel in pixels} == {(255, 255, 255)}
    alphas = {pixel[3] for pixel in pixels}
    assert 0 in alphas and 255 in alphas


def test_the_cli_writes_the_zip_and_needs_a_bot_id(database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "bravo-teams.zip"
    result = bravo("teams-package", "--out", str(out), database_url=database_url, MICROSOFT_APP_ID=BOT_ID)
    assert result.returncode == 0, result.stderr
    assert json.loads(zipfile.ZipFile(out).read("manifest.json"))["bots"][0]["botId"] == BOT_ID
    missing = bravo("teams-package", "--out", str(tmp_path / "x.zip"), database_url=database_url)
    assert missing.returncode == 2 and "MICROSOFT_APP_ID" in missing.stderr


def test_the_manifest_links_to_the_pages_bravo_serves_or_to_configured_ones() -> None:
    served = json.loads(
        zipfile.ZipFile(
            io.BytesIO(build_package(PackageOptions(bot_id=BOT_ID, public_url="https://bravo.acme.example/")))
        ).read("manifest.json")
    )["developer"]
    assert served["privacyUrl"] == "https://bravo.acme.example/privacy"
    assert served["termsOfUseUrl"] == "https://bravo.acme.example/terms"
    options = PackageOptions(bot_id=BOT_ID, privacy_url="https://acme.example/p", terms_url="https://acme.example/t")
    chosen = json.loads(zipfile.ZipFile(io.BytesIO(build_package(options))).read("manifest.json"))["developer"]
    assert (chosen["privacyUrl"], chosen["termsOfUseUrl"]) == ("https://acme.example/p", "https://acme.example/t")


def test_the_cli_refuses_an_address_that_is_not_https(database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "bravo-teams.zip"
    for option, value in (("--public-url", "http://bravo.acme.example"), ("--terms-url", "ftp://acme.example/t")):
        result = bravo(
            "teams-package", "--out", str(out), option, value, database_url=database_url, MICROSOFT_APP_ID=BOT_ID
        )
        assert result.returncode == 2 and not out.exists()
        assert result.stderr == f"{option} must be an https:// address, not {value}\n"
