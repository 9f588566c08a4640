"""Governance models, one submodule per area; every model is re-exported here.

- ``monitoring``: terminations, the sex-ratio monitor's settings, reconciliation marks;
- ``supervision``: leading groups, department duties, ultrasound devices, drug dispensing;
- ``cases``: 两非 case files.
"""
