"""What is grown and sold: products (GTINs), farms and their plots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Product(Base):
    """A trade item: one GTIN-14 of one product kind (black pepper, green coffee, ...)."""

    __tablename__ = "products"

    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    attributes: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Farm(Base):
    """A member's farm, registered by its cooperative."""

    __tablename__ = "farms"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(40))
    farmer_name: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    province: Mapped[str] = mapped_column(String(100))
    # What the farmer agreed to show the public. Unpublished, the consumer page names only the
    # commune, district and province, and draws no plot.
    publish_farmer_name: Mapped[bool] = mapped_column(default=False)
    publish_plot_location: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plots: Mapped[list[Plot]] = relationship(back_populates="farm")
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)


class Plot(Base):
    """A plot of land, with its EUDR geolocation (GeoJSON Point or Polygon, WGS-84)."""

    __tablename__ = "plots"

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farms.id"))
    code: Mapped[str] = mapped_column(String(40))
    area_ha: Mapped[float]
    geometry: Mapped[dict]
    crop: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    farm: Mapped[Farm] = relationship(back_populates="plots")
    __table_args__ = (UniqueConstraint("farm_id", "code"),)
