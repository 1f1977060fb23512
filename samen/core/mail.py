"""Where e-mail goes when no mail server is configured (the demo, a first try-out).

Django's console backend prints the whole MIME message, so one weekly report with its PDF
fills the terminal with base64. This one prints what a person wants to see: who gets it, the
subject, the text, and the attachments by name and size.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

RULE = "-" * 79


def summary(message: EmailMessage) -> str:
    """The message as a person reads it: headers, the plain text, attachments listed."""
    lines = [f"E-mail to {', '.join(message.to)}", f"From: {message.from_email}",
             f"Subject: {message.subject}", ""]
    lines.append(str(message.body).rstrip())
    for attachment in message.attachments:
        if isinstance(attachment, tuple):
            name, content, mimetype = attachment
        else:  # a MIMEBase part
            name = attachment.get_filename() or "(unnamed)"
            content, mimetype = attachment.get_payload(decode=True) or b"", \
                attachment.get_content_type()
        size = len(content.encode() if isinstance(content, str) else content)
        lines.append(f"[attachment: {name}, {mimetype}, {size / 1024:.0f} kB]")
    return "\n".join(lines)


class ConsoleSummaryBackend(BaseEmailBackend):
    """Prints each message as :func:`summary` gives it, between rules."""

    def __init__(self, *args: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        with self._lock:
            for message in email_messages:
                self.stream.write(f"{summary(message)}\n{RULE}\n")
                sent += 1
            self.stream.flush()
        return sent
