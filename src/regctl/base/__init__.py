"""The pieces every layer shares; standard library only, importing nothing else of regctl.

Owns the manifest's canonical JSON and digest (:mod:`.canonical`), the error types the
CLI turns into exit codes (:mod:`.errors`), the message catalogue (:mod:`.i18n`),
did-you-mean hints (:mod:`.suggest`), safe text for output (:mod:`.textsafe`), secret
redaction (:mod:`.redact`), finding the registry folder (:mod:`.discover`) and the
sampling ranges each API accepts (:mod:`.sampling`).

May import: the standard library only (the runtime client depends on this package).
"""
