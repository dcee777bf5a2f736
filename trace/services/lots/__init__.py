"""Reading lots: stock, lineage back and forward, recalls that reach a lot, plausibility flags."""
