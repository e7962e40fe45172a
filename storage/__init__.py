"""Bravo's storage: SQLModel tables, the async engine, small query functions and Alembic migrations."""
