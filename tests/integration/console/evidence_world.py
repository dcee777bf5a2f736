"""A cooperative with a pepper lot (harvested through the API), another cooperative with its own
lot, and console users of each role: what the evidence, corrections and bulk tests share."""

from __future__ import annotations

from tests.support.cooperative import coop

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def build_world(client, actions, console) -> dict:
    a = coop(client, actions, "HTX Tiêu Vĩnh Linh")
    b = coop(client, actions, "HTX Cà Phê Cầu Đất")
    gtin = a.product("pepper_berries", "Tiêu đen")
    plot = a.plot("pepper")
    a.harvest(plot, gtin, "VL-01", 500.0)
    b_gtin = b.product("pepper_berries", "Tiêu B")
    b.harvest(b.plot("pepper"), b_gtin, "CD-01", 300.0)
    return {"a": {"org": a.org, "token": a.token, "gtin": gtin, "plot": plot},
            "b": {"org": b.org, "token": b.token, "gtin": b_gtin},
            "member": console.user("member", a.org, name="Trần Văn Bình"),
            "outsider": console.user("member", b.org, name="Võ Văn Tám"),
            "inspector": console.user("inspector", name="Thanh Tra"),
            "admin": console.user("admin", name="Quản Trị")}
