"""The committee's vote desk: server-rendered Chinese shells that ``residents/static/desk.js`` fills from the JSON
API with the staff token kept in the tab (the same sign-in as ``/m/committee``).

The shells hold no community's data, so they render for anyone; every figure comes through the API, which checks
the jurisdiction. Used at the community office on a desktop or tablet: wider layout, the same large type.
"""

import json

from flask import Blueprint, render_template

from backend.names import matter_name, option_label, rule_name

from .models import DEFAULT_OPTIONS, MANAGEMENT_MODELS, MATTERS
from .tally import consent_rule

bp = Blueprint("votes_pages", __name__, template_folder="templates")


def matter_choices():
    """(code, Chinese name, consent rule) for the create form, in the order of Civil Code art. 278."""

    def rule(code):
        threshold = consent_rule(code)
        if threshold is None:
            return "意见征询，不作决定，只统计各选项占比"
        return f"须参与人数和面积的{rule_name(threshold.code)}同意"

    return [(code, matter_name(code), rule(code)) for code in MATTERS]


def option_presets():
    """The ready-made option lists of the create form: (kind, codes as JSON, their names for the radio label)."""
    return [
        (kind, json.dumps(codes), " / ".join(option_label(c) for c in codes))
        for kind, codes in (("default", DEFAULT_OPTIONS), ("models", MANAGEMENT_MODELS))
    ]


def page(name, **context):
    return render_template(f"votes/{name}.html", page=f"votes_{name}", **context)


@bp.get("/m/committee/votes")
def vote_list():
    return page("list")


@bp.get("/m/committee/votes/new")
def new_vote():
    return page("new", matters=matter_choices(), presets=option_presets(), abstain=option_label("abstain"))


@bp.get("/m/committee/votes/<int:vote_id>")
def vote_desk(vote_id):
    return page("vote", vote_id=vote_id)


@bp.get("/m/committee/votes/<int:vote_id>/paper")
def paper_entry(vote_id):
    return page("paper", vote_id=vote_id)


@bp.get("/m/committee/votes/<int:vote_id>/chasing")
def chasing(vote_id):
    return page("chasing", vote_id=vote_id)
