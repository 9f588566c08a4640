"""Governance routes. Placeholder for gov2's own testing: the integrator merges it with the
monitoring routes (gov1's ``urls.py``)."""

from jisheng.governance import urls_supervision

app_name = "governance"

urlpatterns = [*urls_supervision.urlpatterns]
