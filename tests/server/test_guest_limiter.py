"""The guest page's limit: 20 requests a minute per client and per link, each on its own, and
a minute later the room is back."""

from __future__ import annotations

from server.routes.guest_page import GuestLimiter


class Wall:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_link_is_limited_whatever_client_asks_and_a_client_whatever_link() -> None:
    wall = Wall()
    limiter = GuestLimiter(per_minute=20, wall=wall)
    assert all(limiter.allow(f"ip:10.0.0.{n}", "link:abc") for n in range(20))
    assert not limiter.allow("ip:10.0.0.99", "link:abc")  # the link, from a new client
    assert all(limiter.allow("ip:10.0.1.1", f"link:{n}") for n in range(20))
    assert not limiter.allow("ip:10.0.1.1", "link:new")  # the client, on a new link
    wall.now += 61
    assert limiter.allow("ip:10.0.0.99", "link:abc")
