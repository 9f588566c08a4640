"""The standard statistical forms offices send up: population, pre-pregnancy checks,
contraceptive supply and benefits, one row per community and a total row, for any month,
quarter or year; shown, printed, and downloaded as xlsx (optionally for outside parties)."""
