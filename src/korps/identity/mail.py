"""E-mail over SMTP (a local debug server in tests and `make run`)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from korps.config import get_settings


class MailError(RuntimeError):
    pass


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
        raise MailError(f"de e-mail kon niet worden verstuurd: {exc}") from exc
