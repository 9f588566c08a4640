"""The governance API, one router per area (all under /api/governance/)."""
