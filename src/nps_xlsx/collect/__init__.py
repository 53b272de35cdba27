"""Collect: a folder of returns becomes one summary workbook, tidy CSV, a ledger and a chase list.

Owns the job (``job.run_collect``), reading many returns in parallel (``parallel``), the ledger entry and the choice
of one return per council (``ledger``, ``collection``), assignments of held returns (``assign``), the chase list
(``chase``), comments kept on disk (``spool``), an earlier round's answers for pre-filled copies (``prefill``), the
tables (``tables``), the summary workbook with its row writer and XlsxWriter's internals (``summary``, ``rows``,
``xlsxwriter_internals``), the side process that writes it (``sidecar``) and the closing lines (``story``).

May import ``read``, ``validate`` and the top-level modules, never ``template``.
"""
