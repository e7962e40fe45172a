"""Bravo's platform-neutral core: one package per feature (`kudos`, `pulse`, `rewards`, `digest`), each imported
through its `__init__`, and at the top what every feature shares: context, policy, neutral messages and mentions,
routing, delivery, the directory, people, privacy, retention and translations (`i18n`); `home` composes the
features into the home screen."""
