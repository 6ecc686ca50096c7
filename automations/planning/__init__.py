"""Plannen: the back office plans a complex meeting weeks ahead (``flows``)."""
