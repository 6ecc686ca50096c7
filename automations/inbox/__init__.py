"""Mail as it arrives: the executives' Inboxes followed through Graph change notifications,
or a short timer where Microsoft cannot reach us, and always read back through the Inbox delta.

A notification is only ever a reason to read: it names a subscription, which names a mailbox,
and that mailbox's Inbox delta says what really arrived, changed or left (``delta``). Several
reasons at once cost one delta per mailbox (``watcher``). ``subscriptions`` makes, renews and
replaces the subscriptions with the application identity (delegated ``*.Shared`` scopes cannot
subscribe to another user's mail); ``notifications`` checks what Graph posts to the webhook.

Other packages use ``service`` (the latest delta per mailbox, the Inbox ids the delta saw, the
watcher and its hook) and ``flows`` (what the webhook, the poller and the job call);
``models`` holds the outcome types.
"""
