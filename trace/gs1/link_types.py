"""GS1 Web vocabulary link types (https://ref.gs1.org/voc/, the ``gs1:linkType`` sub-properties
listed in gs1/WebVoc ``currentLinkTypes.json``): what a resolver's ``linkType`` names, and the
titles a link gets when nobody gave it one."""

from __future__ import annotations

GS1_VOC = "https://gs1.org/voc/"  # the namespace linksets use for link relation types

# name -> English title (GS1's own label)
LINK_TYPES: dict[str, str] = {
    "activityIdeas": "Activity Ideas", "allergenInfo": "Allergen information",
    "appDownload": "App download",
    "brandHomepageClinical": "Information for professionals about this brand",
    "brandHomepagePatient": "Information for patients about this brand",
    "careersInfo": "Careers information", "certificationInfo": "Certification Information",
    "consumerHandlingStorageInfo": "Consumer handling and storage information",
    "defaultLink": "Default link", "defaultLinkMulti": "Default linkMulti",
    "epcis": "EPC Information Services (EPCIS) repository",
    "epil": "Electronic Patient Information Leaflet", "eventsInfo": "Events information",
    "faqs": "Frequently Asked Questions", "handledBy": "Handled by",
    "hasRetailers": "Has Retailers", "homepage": "Organisation Information Page",
    "ingredientsInfo": "Ingredients information", "instructions": "Instructions",
    "jws": "JSON Web Signature", "leaveReview": "Leave a review",
    "locationInfo": "Location information", "logisticsInfo": "Logistics information",
    "loyaltyProgram": "Loyalty program", "masterData": "Master data",
    "menuInfo": "Menu information", "nutritionalInfo": "Nutritional Information",
    "openingHoursInfo": "Opening hours information", "paymentLink": "Make Payment",
    "pip": "Product Information Page",
    "productSustainabilityInfo": "Sustainability and recycling (deprecated)",
    "promotion": "Promotion",
    "purchaseSuppliesOrAccessories": "Purchase supplies or accessories",
    "quickStartGuide": "Quick start guide", "recallStatus": "Recall status",
    "recipeInfo": "Recipe website", "registerProduct": "Register purchase",
    "registryEntry": "Entry in a register", "relatedImage": "Related image",
    "relatedVideo": "Related video", "review": "Reviews", "safetyInfo": "Safety information",
    "scheduleTime": "Scheduling/Reservation", "serviceInfo": "Service information",
    "smartLabel": "SmartLabel", "smpc": "Summary Product Characteristics (SmPC)",
    "socialMedia": "Social media", "statisticInfo": "Statistics", "subscribe": "Subscribe",
    "support": "Support", "sustainabilityInfo": "Sustainability and recycling",
    "traceability": "Traceability information", "tutorial": "Tutorial",
    "userAgreement": "Sign waiver/agreement/document",
    "verificationService": "Verification Service", "whatsInTheBox": "What's in the box?",
}
# What an organisation may register itself: not the resolver's own default (the consumer page).
MANAGEABLE = frozenset(LINK_TYPES) - {"defaultLink", "defaultLinkMulti", "handledBy"}


def link_type_name(value: str) -> str | None:
    """The vocabulary name ``value`` spells (``gs1:pip``, ``https://gs1.org/voc/pip``,
    ``https://ref.gs1.org/voc/pip`` or ``pip``), or None when it is not a GS1 link type."""
    for prefix in ("gs1:", GS1_VOC, "https://ref.gs1.org/voc/", "http://gs1.org/voc/"):
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    return value if value in LINK_TYPES else None


def curie(name: str) -> str:
    return "gs1:" + name
