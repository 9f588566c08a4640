"""Demo data for 坛山街道, generated deterministically without touching the database."""
