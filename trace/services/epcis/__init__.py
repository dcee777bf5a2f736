"""EPCIS 2.0 use cases: capturing documents (validate, hash, check custody, seal, store) and
querying stored events.
"""
