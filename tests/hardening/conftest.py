"""The hardening suite reuses the platform fixtures: Bravo over HTTP with a local fake Slack, a fake Bot Connector,
and a Slack workspace whose people were each sent a pulse."""

from __future__ import annotations

from tests.bot.slack.conftest import bravo, fake_slack  # noqa: F401 - fixtures
from tests.bot.slack.test_pulse import pulsed  # noqa: F401 - fixture
from tests.bot.teams.conftest import connector, teams_app  # noqa: F401 - fixtures
from tests.bot.teams.test_auth_http import no_internet, secured  # noqa: F401 - fixtures
from tests.hardening.test_outbound_faults import outbound  # noqa: F401 - fixture
