"""Presenting records to people: QR codes for labels (and, later, the consumer pages)."""
