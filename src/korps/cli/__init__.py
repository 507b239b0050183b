"""The ``korps`` command line: one sub-app per domain, thin commands over the services.

The command line speaks Dutch; ``KORPS_LANG=en`` gives English. The language is chosen
here, before the commands are imported, because their help texts are translated when
their modules load; so are Typer's and Click's own texts (:mod:`korps.cli.chrome`).
"""

from __future__ import annotations

import os
from contextlib import suppress

from korps.common.i18n import set_locale

set_locale(os.environ.get("KORPS_LANG", ""))
# Typer's and Click's own texts ("Gebruik:", "Opties" ...) in that language. chrome.py
# reaches into Typer 0.29's internals: another Typer keeps its own English texts rather
# than stop the command line (tests/integration/test_cli_language.py notices).
with suppress(ImportError, AttributeError):
    from korps.cli import chrome

    chrome.install()

from korps.cli.commands import app, main  # noqa: E402  (after the language is set)

__all__ = ["app", "main"]
