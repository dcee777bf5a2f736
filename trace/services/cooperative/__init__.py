"""What a cooperative records: its catalogue (products, farms, plots), steps that make and move
lots, serials, labels, certificates.
"""
