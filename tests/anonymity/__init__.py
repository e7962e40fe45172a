"""Adversary tests of pulse anonymity: the attacker is an admin who can read the whole database at any moment (every
table before and after each tap, the SQLite file and its WAL, PostgreSQL row versions and pages) and every output
Bravo produces (chat, CLI, digests, exports). The tests drive Bravo from the outside, through the real Slack and
Teams adapters and the `bravo` commands, and read the database from its live schema, so they hold whatever the
tables become.

A test that shows a promise still broken is marked `xfail(raises=Leak, strict=True)` with the promise it breaks: it
raises `support.Leak` with what leaked. When a change keeps the promise, the test passes, strict xfail turns that into
a failure, and the marker must go. Any other error (a harness that no longer finds a button) fails loudly.
"""
