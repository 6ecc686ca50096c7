"""Meeting folders (vergadermappen): meeting type → meeting → agenda item → documents.

``flows`` is every adapter's way in (who may, what is journaled, audited and announced).
Beneath it: ``service`` (meetings, agenda items and the push in the store), ``reading``,
``storing`` (one file of a push), ``folders`` (paths and ``index.json``), ``names`` (safe
names), ``calendar`` (meetings the calendar offers), ``export`` (a ZIP), ``targets`` (where
files live), ``types`` and ``settings`` (what the deployment decides), ``models``.
"""
