"""Kept so that ``from nps_xlsx.report import validate_paths`` goes on working: the report of ``nps-xlsx
validate`` now lives in :mod:`nps_xlsx.validate.report`."""

from .validate.report import ValidationReport, validate_paths

__all__ = ["ValidationReport", "validate_paths"]
