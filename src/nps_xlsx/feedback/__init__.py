"""Feedback: one workbook per responding council, showing where it stands against its peers.

Owns the ``feedback`` command: the figures, computed once for the round from the responses CSV that ``collect``
writes and sliced per council under the disclosure rule (``figures``), each council's own respondents in
respondent mode (``respondents``), the workbook (``workbook``), the job (``job``) and the rendering to PDF through
LibreOffice (``pdf``).

May import ``collect``, ``read``, ``validate`` and the top-level modules, never ``template``.
"""
