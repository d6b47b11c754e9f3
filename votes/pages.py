"""The committee's vote desk: server-rendered Chinese shells that ``residents/static/desk.js`` fills from the JSON
API with the staff token kept in the tab (the same sign-in as ``/m/committee``).

The shells hold no community's data, so they render for anyone; every figure comes through the API, which checks
the jurisdiction. Used at the community office on a desktop or tablet: wider layout, the same large type.
"""
from flask import Blueprint, render_template

from .models import MATTER_NAMES, MATTERS, THREE_QUARTERS

bp = Blueprint("votes_pages", __name__, template_folder="templates")


def matter_choices():
    """(code, Chinese name, consent rule) for the create form, in the order of Civil Code art. 278."""
    def rule(code):
        if code == "consultation":
            return "意见征询，不作决定，只统计各选项占比"
        return "须参与人数和面积的四分之三以上同意" if code in THREE_QUARTERS else "须参与人数和面积均过半数同意"
    return [(code, MATTER_NAMES[code], rule(code)) for code in MATTERS]


def page(name, **context):
    return render_template(f"votes/{name}.html", page=f"votes_{name}", **context)


@bp.get("/m/committee/votes")
def vote_list():
    return page("list")


@bp.get("/m/committee/votes/new")
def new_vote():
    return page("new", matters=matter_choices())


@bp.get("/m/committee/votes/<int:vote_id>")
def vote_desk(vote_id):
    return page("vote", vote_id=vote_id)


@bp.get("/m/committee/votes/<int:vote_id>/paper")
def paper_entry(vote_id):
    return page("paper", vote_id=vote_id)


@bp.get("/m/committee/votes/<int:vote_id>/chasing")
def chasing(vote_id):
    return page("chasing", vote_id=vote_id)
