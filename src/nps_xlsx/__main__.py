"""``python -m nps_xlsx`` runs the command line."""

from .cli import main

main()
