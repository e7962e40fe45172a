"""Names the dead-code finder cannot see used, because a library calls or reads them by name.

Run: `.venv/bin/vulture bot handlers scheduler storage tests/vulture_whitelist.py --min-confidence 60`.
Each line below names something that is used although no Python code of Bravo calls it; anything else the finder
reports is dead and goes (or, when only tests use it, moves into `tests/`). Nothing imports this module.
"""

from __future__ import annotations

# ruff: noqa: B018 (each line is an attribute read on purpose: that is how it names something as used)


class _Used:
    """Any attribute: this module only names things, it never runs."""

    def __getattr__(self, name: str) -> _Used:
        return self


_ = _Used()

# Bolt listeners, registered by their decorators and called by Bolt with the arguments their names ask for.
_.on_command
_.on_action
_.on_submit
_.on_message_shortcut
_.on_global_shortcut

# botbuilder: the ActivityHandler methods it dispatches to, the settings it reads from the adapter's configuration,
# and the conversation reference field it sends.
_.on_message_activity
_.on_conversation_update_activity
_.on_installation_update_add
_.APP_ID
_.APP_PASSWORD
_.APP_TYPE
_.APP_TENANTID
_.activity_id

# pydantic: model settings, field and model validators (`@field_validator`, `@model_validator`), called by pydantic.
_.model_config
_._split_commas
_._known_timezone
_._known_weekday
_._clock_time
_._schedule_spec
_._slack_can_work
_._supported_language
_._async_driver

# `Translator.__call__`: every `t("…")`.
_.__call__

# SQLAlchemy: engine event listeners (`@event.listens_for`) and the DB-API connection attribute they set.
_._on_connect
_._on_begin
_._returned
_._checked_out
_.isolation_level

# SQLModel columns that the code writes through `update(...).values(...)` or row dictionaries, never by attribute.
_.delivered_ref
_.sent_at
_.slack_dm_channel
_.ended_at

# Alembic: every migration's revision chain and downgrade, read by Alembic.
_.down_revision
_.branch_labels
_.depends_on
_.downgrade

# SQLAlchemy's TypeDecorator protocol (storage.models.base.UtcDateTime), called by SQLAlchemy.
_.impl
_.cache_ok
_.process_bind_param
_.process_result_value

# A name only mypy reads (`TypeVar(bound="DataclassInstance")`).
_.DataclassInstance

# botframework-connector's hook for its OpenID key fetcher, replaced by Bravo's own (bot/teams/signing_keys.py).
_.get_open_id_metadata
