"""Evidence files attached to events (docs/console/EVIDENCE.md)."""
