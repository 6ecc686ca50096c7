"""The mailboxes a user may open through the product, with what is waiting in them."""
