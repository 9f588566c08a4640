"""Registry writes. Every change of state is a life event (see ``events``)."""
