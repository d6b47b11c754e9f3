"""What the benchmarks build alike: a compound's vote, open and published (its electorate frozen)."""

from datetime import timedelta


def open_vote(admin, compound, title):
    """Two items (an elevator, a property manager), open from a minute ago for a day, published."""
    from backend.types import utcnow
    from votes import services

    now = utcnow()
    items = [{"title": "加装电梯", "matter": "rebuild"}, {"title": "选聘物业", "matter": "property_manager"}]
    window = {"opens_at": now - timedelta(minutes=1), "closes_at": now + timedelta(days=1)}
    vote = services.create_vote(admin, compound, {"title": title, **window, "items": items})
    services.publish(admin, vote)
    return vote
