from flask_smorest import Blueprint

blp = Blueprint("notices", __name__, url_prefix="/api/v1")
