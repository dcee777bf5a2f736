"""The demo data, loaded through the same use cases the API calls."""
