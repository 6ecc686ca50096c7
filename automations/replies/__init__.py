"""Reply drafts from templates, and the executive's approval of exactly the version she saw."""
