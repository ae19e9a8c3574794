"""Authoring: commands that write the registry (init, activate, fmt) and read it for people
(ls, show, cost-compare, templates)."""
