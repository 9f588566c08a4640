"""Care: hardship visits (走访慰问) and certifications, with their pages, API and demo data.

The models stay in ``benefits.models.care`` (one app, one migration history).
"""
