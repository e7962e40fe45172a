"""The shipped question bank (`questions.json`), read by `handlers.pulse_questions.builtin_bank`."""
