"""Family ties on the page and the API: the family view, linking and unlinking residents,
household head and relations, family members who are not residents (``services.family``)."""
