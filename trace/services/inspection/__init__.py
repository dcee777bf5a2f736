"""The inspector's use cases (issue #12): one module per use case."""
