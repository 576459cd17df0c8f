"""Answer shapes every endpoint shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Out):
    """Every error, whatever its status, as OpenAlex shapes them."""

    error: str
    message: str
