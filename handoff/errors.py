"""Domain errors to HTTP answers: the message says what was expected and what was found."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from handoff.conversations import TargetUnavailable
from handoff.states import TransitionNotAllowed
from handoff.store import Conflict
from handoff.transitions import NotAssignedToYou, NotFound

STATUS = {
    NotFound: (status.HTTP_404_NOT_FOUND, "not_found"),
    NotAssignedToYou: (status.HTTP_409_CONFLICT, "not_assigned_to_you"),
    TransitionNotAllowed: (status.HTTP_409_CONFLICT, "transition_not_allowed"),
    Conflict: (status.HTTP_409_CONFLICT, "changed_meanwhile"),
    TargetUnavailable: (status.HTTP_409_CONFLICT, "agent_unavailable"),
}


def install(app: FastAPI) -> None:
    for exc_type, (code, error) in STATUS.items():

        async def handler(_: Request, exc: Exception, code: int = code, error: str = error) -> JSONResponse:
            return JSONResponse({"detail": str(exc), "code": error}, status_code=code)

        app.add_exception_handler(exc_type, handler)
