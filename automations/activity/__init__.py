"""Laatste acties: today's journaled operations in one mailbox, by anyone on its team."""
