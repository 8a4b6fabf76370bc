"""Rendering helpers shared by the console routes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

STATUS_LABELS = {"eligible": "可享受", "undetermined": "待确定", "ineligible": "不适用", "informational": "普惠服务"}
SOURCE_LABELS = {"registry": "登记库", "declared": "企业自报"}


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    staff = getattr(request.state, "staff", None)
    context = {"staff": staff, "csrf": staff.csrf if staff else "", "status_labels": STATUS_LABELS,
               "source_labels": SOURCE_LABELS, **context}
    response = request.app.state.templates.TemplateResponse(request, f"console/{name}", context,
                                                            status_code=status)
    response.headers["Cache-Control"] = "no-store"  # staff pages hold enterprise data
    return response
