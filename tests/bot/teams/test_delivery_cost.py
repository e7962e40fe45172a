"""What each Teams delivery costs Bravo's CPU: botbuilder builds new clients for every proactive message."""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy

from bot.teams.adapter import quick_retry_policies


def test_msrest_retry_policies_are_cheap_to_build_and_retry_the_same_codes() -> None:
    safe = [*(code for code in range(500) if code != 408), 501, 505]
    expected = [code for code in range(999) if code not in safe]
    quick_retry_policies()
    quick_retry_policies()  # idempotent
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    assert ClientRetryPolicy().policy.status_forcelist == expected
