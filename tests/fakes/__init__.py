"""In-process fakes of Slack and Bot Framework services for Bravo tests."""
