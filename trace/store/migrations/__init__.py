"""Alembic migrations, shipped in the package so `tracechain db upgrade` works when installed."""
