"""Handling units: the city units of each measure, plus the local unit of the enterprise."""

from __future__ import annotations

from pydantic import Field

from engine.rule_models import Strict


class LocalUnits(Strict):
    cites: str
    reading: str
    districts: list[str] = Field(min_length=1)
    district_unit: str = Field(pattern=r"\{district\}")
    zones: dict[str, str]

    def local_for(self, district: str | None, zone: str | None) -> list[str]:
        """The district government, or the zone's committee when the enterprise sits in one."""
        if zone is not None:
            return [self.zones[zone]]
        if district is not None:
            return [self.district_unit.format(district=district)]
        return []

    def all_local_units(self) -> list[str]:
        return [self.district_unit.format(district=d) for d in self.districts] + list(self.zones.values())
