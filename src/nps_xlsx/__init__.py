"""nps-xlsx: run the LGA National Procurement Strategy diagnostic through Excel."""

__version__ = "0.1.0"
