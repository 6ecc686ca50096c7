"""The team: who serves which executive, who is front office when, and who may do what."""
