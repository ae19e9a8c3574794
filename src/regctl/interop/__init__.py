"""Other tools' formats in and out: ``regctl import`` (models.dev, LiteLLM's price map,
a Django seed's data) and ``regctl export`` (a LiteLLM config, a Kubernetes ConfigMap).

Importers map foreign rows onto registry documents and say, per row, what became of it
(:mod:`.report`); :mod:`.writer` writes them in the canonical layout. Exporters read a
compiled lock (:mod:`.lockfile`).

May import: :mod:`regctl.pipeline`, :mod:`regctl.docs` and everything below them.
"""
