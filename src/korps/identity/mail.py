"""E-mail over SMTP (a local debug server in tests and `make run`).

An e-mail speaks the language of the account it goes to (:func:`language_of`), not the
language of the page that caused it: a citizen who reads English gets English mail when a
Dutch colleague changes the dossier. Compose subject and body inside
``with using(language_of(user)):``.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from korps.common.i18n import DEFAULT_LOCALE, _, chosen
from korps.config import get_settings


class MailError(RuntimeError):
    pass


def language_of(locale: str | None) -> str:
    """The language of mail to an account whose stored language is ``locale`` (Dutch when
    none is stored or it is not one korps speaks)."""
    return chosen(locale) or DEFAULT_LOCALE


def send(*, to: str, subject: str, body: str) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(_("de e-mail kon niet worden verstuurd: {exc}", exc=exc)) from exc
