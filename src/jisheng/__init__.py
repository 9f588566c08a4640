"""jisheng: service management for a sub-district population and family service office."""
