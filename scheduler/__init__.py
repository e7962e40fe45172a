"""When and to whom: the APScheduler jobs, their exactly-once claims, and the outbox worker."""
