"""Mail: the outgoing half of the email loop. Drafts (``.eml``, marked unsent) or messages sent over SMTP, to invite
each council (its personalised workbook attached), chase the councils that have not returned, and reply to the
senders of rejected or held returns (the problems in the council's words, their own file attached).

Owns what a message says (``wording``: plain-text templates with placeholders), the council's addresses
(``addresses``), one message and its MIME form (``letters``), the three kinds of message (``invite``, ``chase``,
``replies``), the outbox (``outbox``: drafts and the run's report), the sent log that makes a run resumable
(``sent_log``) and sending over SMTP (``smtp``). Uses only the standard library's ``email``, ``smtplib`` and
``mimetypes``.

May import ``read``, ``validate``, ``collect`` (the chase statuses, matching a file to a council) and the top-level
modules; never ``template`` or ``feedback``.
"""
