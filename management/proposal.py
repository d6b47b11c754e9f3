"""Step (b) of the owners' choice, prefilled from step (a): what the property_management survey's households
said — which model they prefer and the fee per m² per month they would pay — as the vote's proposal.

The fee suggested for a model is the highest band at least half of the households preferring it accept, taken
at the band's upper bound (the open top band at its lower bound): a fee most of them said they would pay.
"""

from fractions import Fraction

from backend.errors import Invalid

from .models import CHOSEN_MODELS

TEMPLATE = "property_management"
# The template's fee bands (surveys/templates/property_management.json) → fen per m² per month.
FEE_BANDS = {"up_to_0_3": 30, "0_3_0_6": 60, "0_6_1_0": 100, "over_1_0": 100}


def suggested_fee(bands):
    """The highest fee that at least half of ``bands`` (answers to the fee question) accept; None for none."""
    fees = sorted((FEE_BANDS[b] for b in bands if b in FEE_BANDS), reverse=True)
    if not fees:
        return None
    return fees[(len(fees) + 1) // 2 - 1]  # the ceil(n/2)-th highest: that many households accept it or more


def from_survey(actor, compound, survey_id):
    from surveys import results as survey_results
    from surveys import services as surveys

    survey = surveys.get_survey(actor, survey_id)
    if survey.compound_id != compound.id or survey.template != TEMPLATE:
        raise Invalid(
            "survey_not_management",
            "请选择本小区用“物业管理方式调查”模板发起的问卷",
            {"json": {"survey_id": ["不是本小区的物业管理方式调查"]}},
        )
    answers = [a for _, _, a in survey_results.answer_sets(survey)]
    chose = [a for a in answers if a.get("model") in CHOSEN_MODELS]
    rows = []
    for model in CHOSEN_MODELS:
        mine = [a for a in chose if a["model"] == model]
        rows.append(
            {
                "model": model,
                "count": len(mine),
                "share": Fraction(len(mine), len(chose)) if chose else None,
                "fee_fen_per_m2_month": suggested_fee(a.get("fee") for a in mine),
            }
        )
    rows.sort(key=lambda r: -r["count"])  # stable: ties keep the models' own order
    return {"survey_id": survey.id, "title": survey.title, "responses": len(answers), "models": rows}
