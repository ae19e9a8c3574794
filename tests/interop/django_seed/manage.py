#!/usr/bin/env python3
"""The oracle Django project: both seeds' models and selection logic (see README.md)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oracle_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
