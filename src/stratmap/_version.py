"""The version of stratmap, written once (the package metadata reads it here)."""

__version__ = "0.1.0"
