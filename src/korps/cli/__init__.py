"""The ``korps`` command line: one sub-app per domain, thin commands over the services.

The command line speaks Dutch; ``KORPS_LANG=en`` gives English. The language is chosen
here, before the commands are imported, because their help texts are translated when
their modules load; so are Typer's and Click's own texts (:mod:`korps.cli.chrome`).
"""

from __future__ import annotations

import os

from korps.cli import chrome
from korps.common.i18n import set_locale

set_locale(os.environ.get("KORPS_LANG", ""))
chrome.install()  # Typer's and Click's own texts ("Gebruik:", "Opties" ...) in that language

from korps.cli.commands import app, main  # noqa: E402  (after the language is set)

__all__ = ["app", "main"]
