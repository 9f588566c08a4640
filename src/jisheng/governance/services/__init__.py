"""Governance writes, one module per area: ``services.<area>.<entity>_<action>``."""
