"""Change notifications for mail, emulated as Microsoft Graph delivers them.

``routes`` is the URL table (``/subscriptions``), ``service`` the stored subscriptions and
what a change in the mailbox means for each of them, ``delivery`` the webhook calls (the
validation handshake, retries, lifecycle notifications, delivery faults), ``settings`` what
the control plane may change, ``resources`` the ``resource`` paths Graph accepts for
messages, ``errors`` the subscription service's error codes. The store's event bus
(``Store.observe``) is the one place changes come from.
"""
