"""Without a mail server, an e-mail is printed so a person can read it: no base64 walls."""

from __future__ import annotations

import io

from django.core.mail import EmailMessage

from samen.core.mail import ConsoleSummaryBackend


def test_a_report_with_a_pdf_is_printed_in_short():
    out = io.StringIO()
    message = EmailMessage(subject="Samen weekrapport", body="Dag Sofie,\n\nHier is het rapport.",
                           from_email="samen@localhost", to=["sofie@stad.example"])
    message.attach("weekrapport.pdf", b"%PDF-1.7" + b"x" * 50_000, "application/pdf")
    assert ConsoleSummaryBackend(stream=out).send_messages([message]) == 1
    printed = out.getvalue()
    assert "E-mail to sofie@stad.example" in printed
    assert "Subject: Samen weekrapport" in printed and "Hier is het rapport." in printed
    assert "[attachment: weekrapport.pdf, application/pdf, 49 kB]" in printed
    assert "JVBERi0" not in printed  # the PDF's base64 is not dumped
    assert len(printed.splitlines()) < 12

