"""Admin bearer keys: none sent is 401, an unknown key 403; the caller's key id goes to the audit log."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from admin.context import AdminDep

_bearer = HTTPBearer(auto_error=False, description="An admin key from ADMIN_API_KEYS (docs/admin.md).")


def current_key_id(
    admin: AdminDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Expected 'Authorization: Bearer <admin key>' (ADMIN_API_KEYS), got none",
            headers={"WWW-Authenticate": "Bearer"},
        )
    sent = credentials.credentials.encode()
    for secret, key_id in admin.keys.items():
        if hmac.compare_digest(secret.encode(), sent):
            return key_id
    raise HTTPException(status.HTTP_403_FORBIDDEN, "Expected an admin key listed in ADMIN_API_KEYS, got an unknown key")


KeyIdDep = Annotated[str, Depends(current_key_id)]
