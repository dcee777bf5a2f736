"""Alembic migrations, shipped inside the package so `tracechain db upgrade` works when installed."""
