"""What a consumer's scan sees: provenance and its verdict, scan counts of serialised items,
reports of fakes.
"""
