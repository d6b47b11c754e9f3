from flask_smorest import Blueprint

blp = Blueprint("votes", __name__, url_prefix="/api/v1")
