"""One router per resource; each module exposes ``router`` (an APIRouter) and is listed in
:data:`flowgraph.server.app.ROUTERS`."""
