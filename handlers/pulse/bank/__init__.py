"""The shipped question bank (`questions.json`), read by `handlers.pulse.questions.builtin_bank`."""
