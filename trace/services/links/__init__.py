"""Links organisations manage for their products and lots, and what the resolver serves."""
