"""The `bravo` command line: one module per area registers its subcommands."""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    from bot.cli import actions, core, inbox, kudos, outbox, privacy, pulse, rewards, schedule, teams

    parser = argparse.ArgumentParser(prog="bravo", description="Peer recognition and pulse checks for Slack and Teams")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (core, inbox, kudos, pulse, rewards, actions, schedule, teams, privacy, outbox):
        module.register(subcommands)
    return parser
