"""Template: the rubric becomes the workbook councils fill in, blank or personalised for each council.

Owns the workbook builder (``builder``), its cell formats (``formats``), the Cover, key-area and "Your summary"
sheets (``cover``, ``area``, ``your_summary``), personalised copies in bulk, pre-filled with an earlier round's
answers or not (``personalise``, which puts the answers into the template's XML with ``cells``) and the ``generate``
job (``generate``). Positions and names come from :mod:`nps_xlsx.layout`, which the readers share, so the two ends
of the round trip cannot drift apart.

May import only the top-level modules, never ``read``, ``validate`` or ``collect``.
"""
