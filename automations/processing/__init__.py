"""Postverwerking: per executive, the mail that came into her Inbox since a moment and that
nobody has handled yet, with who handled the rest and how. See ``flows``."""
