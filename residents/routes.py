from flask_smorest import Blueprint

blp = Blueprint("residents", __name__, url_prefix="/api/v1")
