"""Digests: the weekly manager digest, the team digest and the admins' organisation digest (with charts), built
from kudos, pulses and rewards.

It reads the other features through their packages. The rest of Bravo imports this package only.
"""

from __future__ import annotations

from handlers.digest.data import DigestData, Window, load_digest_data
from handlers.digest.manager import MANAGER_DIGEST, manager_digest_card
from handlers.digest.org import ORG_DIGEST, org_digest_card
from handlers.digest.org_data import OrgData, load_org_data
from handlers.digest.pulse_charts import digest_charts
from handlers.digest.pulse_section import manager_pulse_sections, team_pulse_sections
from handlers.digest.team import TEAM_DIGEST, team_digest_card

__all__ = [
    "DigestData",
    "MANAGER_DIGEST",
    "ORG_DIGEST",
    "OrgData",
    "TEAM_DIGEST",
    "Window",
    "digest_charts",
    "load_digest_data",
    "load_org_data",
    "manager_digest_card",
    "manager_pulse_sections",
    "org_digest_card",
    "team_digest_card",
    "team_pulse_sections",
]
