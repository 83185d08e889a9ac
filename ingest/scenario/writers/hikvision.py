"""Hikvision ISAPI ``EventNotificationAlert`` (eventType ANPR) pushes, concatenated.

Each alert is shaped like the real camera push in ``samples/cctv/hikvision_isapi_anpr_event.xml``
(same element order, tab indentation, its own ``<?xml?>`` declaration, as concatenated
pushes are stored), minus ``pictureInfoList``. Built with a string template because a
DOM per alert would be far too slow for a million alerts.
"""

from __future__ import annotations

import random
from pathlib import Path
from xml.sax.saxutils import escape

from ingest.scenario.clock import local_iso, week_key
from ingest.scenario.geo import to_dms
from ingest.scenario.model import Camera, Detection
from ingest.scenario.names import MAKES
from ingest.scenario.plates import BY_ALPHA2
from ingest.scenario.rng import ALNUM, DayStreams, token
from ingest.scenario.writers.files import WeeklyFiles

# vehicleLogoRecog: the vendor's brand table is not public; this is a stable stand-in.
_JITTER = tuple(range(-3, 5))
LOGO_CODES: dict[str, int] = {make: 1030 + i for i, make in enumerate(MAKES)}

ALERT = """<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0"
\txmlns="http://www.hikvision.com/ver20/XMLSchema">
\t<ipAddress>{ip}</ipAddress>
\t<portNo>{port}</portNo>
\t<protocol>HTTP</protocol>
\t<macAddress>{mac}</macAddress>
\t<channelID>1</channelID>
\t<dateTime>{when}</dateTime>
\t<activePostCount>1</activePostCount>
\t<eventType>ANPR</eventType>
\t<eventState>active</eventState>
\t<eventDescription>ANPR</eventDescription>
\t<channelName>{channel}</channelName>
\t<ANPR>
\t\t<country>{country}</country>
\t\t<licensePlate>{plate}</licensePlate>
\t\t<line>{line}</line>
\t\t<direction>{direction}</direction>
\t\t<confidenceLevel>{confidence}</confidenceLevel>
\t\t<plateType>unknown</plateType>
\t\t<plateColor>{plate_colour}</plateColor>
\t\t<licenseBright>{bright}</licenseBright>
\t\t<dangmark>no</dangmark>
\t\t<twoWheelVehicle>no</twoWheelVehicle>
\t\t<threeWheelVehicle>no</threeWheelVehicle>
\t\t<plateCharBelieve>{believe}</plateCharBelieve>
\t\t<vehicleType>{vehicle_type}</vehicleType>
\t\t<detectDir>8</detectDir>
\t\t<detectType>0</detectType>
\t\t<alarmDataType>0</alarmDataType>
\t\t<vehicleInfo>
\t\t\t<index>{index}</index>
\t\t\t<colorDepth>2</colorDepth>
\t\t\t<color>{colour}</color>
\t\t\t<length>0</length>
\t\t\t<vehicleLogoRecog>{logo}</vehicleLogoRecog>
\t\t\t<vehileSubLogoRecog>0</vehileSubLogoRecog>
\t\t\t<vehileModel>0</vehileModel>
\t\t</vehicleInfo>
\t\t<originalLicensePlate>{plate}</originalLicensePlate>
\t\t<CRIndex>{country}</CRIndex>
\t\t<vehicleListName>otherList</vehicleListName>
\t\t<plateSize>0</plateSize>
\t</ANPR>
\t<UUID>{uuid}</UUID>
\t<picNum>0</picNum>
\t<monitoringSiteID></monitoringSiteID>
\t<isDataRetransmission>false</isDataRetransmission>
\t<DeviceGPSInfo>
\t\t<longitudeType>E</longitudeType>
\t\t<latitudeType>N</latitudeType>
\t\t<Longitude>
\t\t\t<degree>{lon_d}</degree>
\t\t\t<minute>{lon_m}</minute>
\t\t\t<sec>{lon_s:.6f}</sec>
\t\t</Longitude>
\t\t<Latitude>
\t\t\t<degree>{lat_d}</degree>
\t\t\t<minute>{lat_m}</minute>
\t\t\t<sec>{lat_s:.6f}</sec>
\t\t</Latitude>
\t</DeviceGPSInfo>
\t<detectionBackgroundImageResolution>
\t\t<height>1568</height>
\t\t<width>2560</width>
\t</detectionBackgroundImageResolution>
\t<countryAbbreviation>{country_abbr}</countryAbbreviation>
</EventNotificationAlert>
"""


def _device_fields(camera: Camera) -> dict[str, object]:
    """Per-camera constants, computed once: address, name and GPS in deg/min/sec."""
    lon_d, lon_m, lon_s = to_dms(camera.lon)
    lat_d, lat_m, lat_s = to_dms(camera.lat)
    return {
        "ip": camera.ip,
        "port": 8888,
        "mac": camera.mac,
        "channel": escape(camera.name),
        "lon_d": lon_d,
        "lon_m": lon_m,
        "lon_s": lon_s,
        "lat_d": lat_d,
        "lat_m": lat_m,
        "lat_s": lat_s,
    }


def _uuid(rng: random.Random, epoch: float) -> str:
    """Same shape as the sample: local yyyymmddHHMMSS + ms + '00' + 44 random characters."""
    stamp = local_iso(epoch)[:19].replace("-", "").replace(":", "").replace("T", "")
    return f"{stamp}{rng.randrange(1000):03d}00{token(rng, 44, ALNUM)}"


def _believe(rng: random.Random, plate: str, confidence: int) -> str:
    """Per-character confidences around the overall confidence (the vendor reports both)."""
    return ",".join(str(min(99, confidence + d)) for d in rng.choices(_JITTER, k=len(plate)))


class HikvisionWriter:
    """Writes ``cctv/hikvision/<camera>-<YYYY>-W<ww>.xml`` files of concatenated alerts."""

    kind = "hikvision"

    def __init__(self, out_dir: Path, seed: int) -> None:
        self.files = WeeklyFiles(out_dir / "cctv" / "hikvision", ".xml")
        self.seed = seed
        self.records = 0
        self._device: dict[str, dict[str, object]] = {}
        self._index: dict[str, int] = {}

    def render(self, rng: random.Random, det: Detection) -> str:
        assert det.vehicle is not None and det.read is not None
        camera, vehicle = det.camera, det.vehicle
        if camera.slug not in self._device:
            self._device[camera.slug] = _device_fields(camera)
        self._index[camera.slug] = self._index.get(camera.slug, 8000) + 1
        country = BY_ALPHA2[vehicle.country]
        return ALERT.format(
            **self._device[camera.slug],
            when=local_iso(det.time),
            country=country.hik_code,
            plate=escape(det.read),
            line=1 if det.direction == "forward" else 2,
            direction=det.direction,
            confidence=det.confidence,
            plate_colour=country.plate_colour,
            bright=rng.randrange(0, 40),
            believe=_believe(rng, det.read, det.confidence),
            vehicle_type=vehicle.vehicle_type,
            index=self._index[camera.slug],
            colour=vehicle.colour,
            logo=LOGO_CODES[vehicle.make],
            uuid=_uuid(rng, det.time),
            country_abbr=country.alpha2,
        )

    def write_day(self, day: int, detections: list[Detection]) -> None:
        week = week_key(day)
        streams = DayStreams(self.seed, "hik", day)
        for det in detections:
            if det.camera.kind != "hikvision":
                continue
            slug = det.camera.slug
            self.files.handle(slug, week).write(self.render(streams[slug], det))
            self.records += 1

    def close(self) -> None:
        self.files.close()
