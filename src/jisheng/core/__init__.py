"""Core: org tree, scope, encrypted fields, ID-number checks, errors, tasks progress."""
