"""Storage adapter: SQLAlchemy 2 models, the unit of work, Alembic migrations."""
