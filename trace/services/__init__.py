"""Use cases: plain functions that take their collaborators (a unit of work) last."""
