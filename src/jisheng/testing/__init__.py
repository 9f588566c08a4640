"""Test support shipped with the package (loaded by pytest through ``-p``)."""
