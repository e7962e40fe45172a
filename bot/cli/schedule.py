"""Subcommands of the `bravo` CLI for this area."""

from __future__ import annotations

import argparse


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands."""
