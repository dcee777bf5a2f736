"""Templates and static assets, installed as the package data of ``tracechain.web``."""
