"""Checks that run after the schema. One module per family of codes."""
