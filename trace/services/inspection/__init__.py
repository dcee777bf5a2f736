"""The inspector's use cases (issue #12): find, read, act on and take away a lot's records."""
