"""The inspector's use cases (issue #12): finding lots, reading, verifying and acting."""
