"""GS1 identifiers in one place: check digits, GTINs, lots, items, resolver paths and the canonical
Digital Link the event hash uses. Pure: no framework, no I/O.
"""
