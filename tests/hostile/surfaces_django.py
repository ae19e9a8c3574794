"""The Django import's surfaces: a ``dumpdata`` file and a SQLite database
(``regctl import django FILE`` / ``--database sqlite:///PATH``).

Registered in :data:`tests.hostile.surfaces.SURFACES` (imported at the end of
``surfaces.py``); the file family points each at a FIFO, a ``/dev/zero`` link, a 2 GiB
sparse file, a NUL flood, invalid UTF-8 and a directory. More hostile databases (a
deadline, a size cap, quoted names, an endless view) are in
``tests/interop/test_django_sources.py``.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.surfaces import Place, refused, surface


@surface("interop.django-dump", "file", "regctl.interop.django_source")
def _django_dump(place: Place, tmp: Path) -> str:
    from regctl.base.errors import RegctlError
    from regctl.interop.django import import_django

    path = tmp / "dump.json"
    place(path)
    return refused(RegctlError, lambda: import_django(path))


@surface("interop.django-database", "file", "regctl.interop.django_source")
def _django_database(place: Place, tmp: Path) -> str:
    from regctl.base.errors import RegctlError
    from regctl.interop.django import import_django

    path = tmp / "db.sqlite3"
    place(path)
    return refused(RegctlError, lambda: import_django(database=f"sqlite:///{path}"))
