"""The demo's data: a Quảng Trị pepper chain and a Đắk Lắk robusta chain, farm to export.

Names, places and varieties are real-looking (Vĩnh Linh pepper, TR4 robusta clones); every GTIN,
GLN and SSCC has a valid GS1 check digit under Vietnam's prefix 893 (the importer's under 40,
Germany); plots are around Cam Lộ (16.78N 107.0E) and Ea Tu, Buôn Ma Thuột (12.68N 108.05E),
with 6 decimals, as Points up to 4 ha and Polygons above (EUDR).
"""

from __future__ import annotations

from typing import Any

# key -> (name, kind, GLN, province, country, demo member's e-mail)
ORGANISATIONS: dict[str, tuple[Any, ...]] = {
    "camlo": ("HTX Hồ tiêu Cam Lộ", "cooperative", "8936100000010", "Quảng Trị", "VN",
              "camlo@demo.tracechain.dev"),
    "spice": ("Công ty CP Chế biến Gia vị Quảng Trị", "processor", "8936101000019",
              "Quảng Trị", "VN", "chebien@demo.tracechain.dev"),
    "exporter": ("Công ty TNHH Xuất nhập khẩu Nông sản Miền Trung", "exporter",
                 "8936102000018", "Đà Nẵng", "VN", "xuatkhau@demo.tracechain.dev"),
    "eatu": ("HTX Nông nghiệp Cà phê Ea Tu", "cooperative", "8936103000017", "Đắk Lắk", "VN",
             "eatu@demo.tracechain.dev"),
    "roaster": ("Công ty TNHH Rang xay Cà phê Buôn Ma Thuột", "processor", "8936104000016",
                "Đắk Lắk", "VN", "rangxay@demo.tracechain.dev"),
    "importer": ("Kaffeehandel Hamburg GmbH", "importer", "4068810000012", None, "DE",
                 "hamburg@demo.tracechain.dev"),
}
# key -> GS1 company prefix: every GTIN under it is that organisation's product, so only it
# commissions lots of it or prints their labels (the GLNs above are allocated under the same).
COMPANY_PREFIXES = {"camlo": "8936100", "spice": "8936101", "exporter": "8936102",
                    "eatu": "8936103", "roaster": "8936104", "importer": "4068810"}
INSPECTOR_EMAIL = "inspector@demo.tracechain.dev"
# The authority the demo inspector works for: its recalls (and, with issue #12, holds) are EPCIS
# events sealed with its custodial key (docs/RECALLS.md). (name, kind, GLN, province, country)
AUTHORITY = ("Sở Khoa học và Công nghệ tỉnh Đắk Lắk", "authority", "8936105000015", "Đắk Lắk",
             "VN")
ADMIN_EMAIL = "admin@demo.tracechain.dev"

# owner key -> [(GTIN-13, kind, Vietnamese name, English name, attributes)]
PRODUCTS: dict[str, list[tuple[Any, ...]]] = {
    "camlo": [
        ("8936100000119", "pepper_berries", "Hồ tiêu quả tươi Cam Lộ", "Cam Lộ fresh pepper",
         {"variety": "Vĩnh Linh"}),
        ("8936100000126", "black_pepper", "Tiêu đen Cam Lộ phơi nắng", "Cam Lộ sun-dried black "
         "pepper", {"variety": "Vĩnh Linh"}),
    ],
    "spice": [
        ("8936101000217", "black_pepper", "Tiêu đen Quảng Trị FAQ 550",
         "Quảng Trị black pepper FAQ 550", {"grade": "FAQ 550", "density_g_l": 550}),
    ],
    "eatu": [
        ("8936103000314", "coffee_cherry", "Cà phê Robusta quả tươi Ea Tu",
         "Ea Tu robusta cherries", {"variety": "TR4"}),
        ("8936103000321", "dried_cherry", "Cà phê quả khô Ea Tu", "Ea Tu dried cherries", {}),
        ("8936103000338", "green_coffee", "Cà phê nhân Robusta Ea Tu S16",
         "Ea Tu robusta green coffee screen 16", {"screen_size": 16, "grade": "R1"}),
    ],
    "roaster": [
        ("8936104000412", "roasted_coffee", "Cà phê Robusta rang mộc Buôn Ma Thuột",
         "Buôn Ma Thuột roasted robusta", {"roast_level": "medium"}),
    ],
}

# cooperative key -> [(farm code, farmer, commune, district, [(plot code, ha, geometry)])]
FARMS: dict[str, list[tuple[Any, ...]]] = {
    "camlo": [
        ("CL-001", "Nguyễn Văn Hùng", "Cam Thành", "Cam Lộ", [
            ("CL-001-A", 1.5, {"type": "Point", "coordinates": [107.012345, 16.781234]})]),
        ("CL-002", "Trần Thị Mai", "Cam Chính", "Cam Lộ", [
            ("CL-002-A", 2.8, {"type": "Point", "coordinates": [106.987654, 16.772345]})]),
        ("CL-003", "Lê Văn Tư", "Cam Nghĩa", "Cam Lộ", [
            ("CL-003-A", 5.08, {"type": "Polygon", "coordinates": [[
                [107.021437, 16.794512], [107.023877, 16.794592], [107.023957, 16.79632],
                [107.022169, 16.796424], [107.021381, 16.795597], [107.021437, 16.794512]]]})]),
    ],
    "eatu": [
        ("ET-01", "Y Bhin Niê", "Ea Tu", "Buôn Ma Thuột", [
            ("ET-01-A", 2.5, {"type": "Point", "coordinates": [108.052311, 12.684512]})]),
        ("ET-02", "Phạm Văn Long", "Ea Tu", "Buôn Ma Thuột", [
            ("ET-02-A", 4.47, {"type": "Polygon", "coordinates": [[
                [108.061524, 12.672318], [108.063734, 12.672398], [108.063814, 12.674036],
                [108.062187, 12.67414], [108.061468, 12.673349], [108.061524, 12.672318]]]})]),
    ],
}

# Farms whose farmer agreed to show their name and plot on the consumer page; the others show
# the commune only (the default).
PUBLISHED_FARMS = {"CL-003", "ET-02"}

# organisation key -> [(scheme, certificate number, issuer, valid until, url)]. The issuers are
# made up and the links point at the demo host: no real certificate is claimed.
CERTIFICATIONS: dict[str, list[tuple[Any, ...]]] = {
    "camlo": [
        ("VietGAP", "VietGAP-TT-24-03-45-0153", "Trung tâm Chứng nhận Nông sản Bắc Trung Bộ",
         "2027-06-30", "https://demo.tracechain.dev/certificates/VietGAP-TT-24-03-45-0153"),
    ],
    "eatu": [
        ("4C", "4C-VN-0417-C2025", "Coffee Assurance Services Vietnam", "2027-03-31",
         "https://demo.tracechain.dev/certificates/4C-VN-0417-C2025"),
        ("Rainforest Alliance", "RA-CERT-0528173", "Mekong Sustainability Certification Co.",
         "2027-09-15", "https://demo.tracechain.dev/certificates/RA-CERT-0528173"),
    ],
}

PEPPER_GRADED = ("8936101000217", "QT25-G550-01")  # the lot the exporter holds
COFFEE_SSCC = "389361040000000017"  # the roaster's pallet shipped to Hamburg

# The chains, step by step: (actor key, step, arguments). Lots are (GTIN-13, lot code, kg);
# plots are (farm code, plot code). Times are Vietnam time.
PEPPER_CHAIN: list[tuple[str, str, dict[str, Any]]] = [
    ("camlo", "harvest", {"plot": ("CL-001", "CL-001-A"), "lot": ("8936100000119", "CL25-001", 820),
                          "date": "2025-03-03", "extra": {"moisture_pct": 62}}),
    ("camlo", "harvest", {"plot": ("CL-002", "CL-002-A"), "lot": ("8936100000119", "CL25-002", 640),
                          "date": "2025-03-04", "extra": {}}),
    ("camlo", "harvest", {"plot": ("CL-003", "CL-003-A"),
                          "lot": ("8936100000119", "CL25-003", 1150), "date": "2025-03-05",
                          "extra": {}}),
    ("camlo", "process", {"process": "drying", "time": "2025-03-12T16:30:00",
                          "inputs": [("8936100000119", "CL25-001", 820),
                                     ("8936100000119", "CL25-002", 640),
                                     ("8936100000119", "CL25-003", 1150)],
                          "outputs": [("8936100000126", "CL25-D01", 950)],
                          "attributes": {"moisture_pct": 12.5, "drying_method": "sun_dried"}}),
    ("camlo", "ship", {"to": "spice", "time": "2025-03-15T07:00:00",
                       "lots": [("8936100000126", "CL25-D01")],
                       "transactions": [("desadv", "CL-DA-2025-014")]}),
    ("spice", "receive", {"time": "2025-03-15T14:20:00", "lots": [("8936100000126", "CL25-D01")],
                          "transactions": [("desadv", "CL-DA-2025-014")]}),
    ("spice", "process", {"process": "grading", "time": "2025-03-18T10:00:00",
                          "inputs": [("8936100000126", "CL25-D01", 950)],
                          "outputs": [("8936101000217", "QT25-G550-01", 900)],
                          "attributes": {"grade": "FAQ 550", "density_g_l": 552,
                                         "moisture_pct": 12.0}}),
    ("spice", "ship", {"to": "exporter", "time": "2025-03-22T06:30:00",
                       "lots": [("8936101000217", "QT25-G550-01")],
                       "transactions": [("po", "MT-PO-2025-031")]}),
    ("exporter", "receive", {"time": "2025-03-23T09:15:00",
                             "lots": [("8936101000217", "QT25-G550-01")],
                             "transactions": [("po", "MT-PO-2025-031")]}),
]

COFFEE_CHAIN: list[tuple[str, str, dict[str, Any]]] = [
    ("eatu", "harvest", {"plot": ("ET-01", "ET-01-A"), "lot": ("8936103000314", "ET24-101", 3200),
                         "date": "2024-11-20", "extra": {"ripe_pct": 92}}),
    ("eatu", "harvest", {"plot": ("ET-02", "ET-02-A"), "lot": ("8936103000314", "ET24-102", 2800),
                         "date": "2024-11-22", "extra": {"ripe_pct": 88}}),
    ("eatu", "process", {"process": "drying", "time": "2024-12-10T15:00:00",
                         "inputs": [("8936103000314", "ET24-101", 3200),
                                    ("8936103000314", "ET24-102", 2800)],
                         "outputs": [("8936103000321", "ET24-DC01", 2700)],
                         "attributes": {"moisture_pct": 13.0, "drying_method": "sun_dried"}}),
    ("eatu", "process", {"process": "hulling", "time": "2024-12-15T09:30:00",
                         "inputs": [("8936103000321", "ET24-DC01", 2700)],
                         "outputs": [("8936103000338", "ET24-GC01", 1500)],
                         "attributes": {"moisture_pct": 12.5, "screen_size": 16,
                                        "grade": "R1"}}),
    ("eatu", "ship", {"to": "roaster", "time": "2025-01-06T07:30:00",
                      "lots": [("8936103000338", "ET24-GC01")],
                      "transactions": [("po", "BMT-PO-2025-002")]}),
    ("roaster", "receive", {"time": "2025-01-07T10:00:00",
                            "lots": [("8936103000338", "ET24-GC01")],
                            "transactions": [("po", "BMT-PO-2025-002")]}),
    ("roaster", "process", {"process": "roasting", "time": "2025-01-10T13:00:00",
                            "inputs": [("8936103000338", "ET24-GC01", 600)],
                            "outputs": [("8936104000412", "BMT25-R01", 500)],
                            "attributes": {"roast_level": "medium"}}),
    ("roaster", "pack", {"time": "2025-01-12T08:00:00", "sscc": COFFEE_SSCC,
                         "lots": [("8936104000412", "BMT25-R01", 500)]}),
    ("roaster", "ship", {"to": "importer", "time": "2025-01-15T06:00:00", "ssccs": [COFFEE_SSCC],
                         "transactions": [("desadv", "BMT-DA-2025-007"),
                                          ("po", "KH-2024-1187")]}),
]
