"""Models of this module (to be built)."""
