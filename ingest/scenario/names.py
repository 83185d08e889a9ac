"""Built-in word lists for the fictional world.

Kept in code (not downloaded, not drawn from a real register) so the generator works
air-gapped and never reproduces a real person. Surnames and site names are invented
compounds; given names are ordinary first names, which alone identify nobody.
"""

from __future__ import annotations

GIVEN_NAMES: tuple[str, ...] = (
    "Anouk",
    "Bram",
    "Carla",
    "Daan",
    "Elif",
    "Femke",
    "Gijs",
    "Hanna",
    "Ilse",
    "Joris",
    "Karim",
    "Lotte",
    "Milan",
    "Noor",
    "Otto",
    "Petra",
    "Quinn",
    "Rosa",
    "Sem",
    "Tessa",
    "Umar",
    "Vera",
    "Wout",
    "Xenia",
    "Yara",
    "Zeno",
    "Amir",
    "Britt",
    "Cas",
    "Dewi",
    "Eva",
    "Finn",
    "Greta",
    "Hugo",
    "Iris",
    "Jesse",
    "Kiki",
    "Luuk",
    "Mara",
    "Nils",
)

SURNAMES: tuple[str, ...] = (
    "Altenveld",
    "Brakenhoek",
    "Corlaan",
    "Dorrebeek",
    "Elzemond",
    "Frinkhorst",
    "Gaastwijk",
    "Holtekamp",
    "Ijsselvoort",
    "Jorwerda",
    "Kampenhaag",
    "Lindemaar",
    "Molengraaf",
    "Noorderhuis",
    "Oostervelde",
    "Pelsmaker",
    "Quakelaar",
    "Rietvinder",
    "Slootweide",
    "Tolhuizen",
    "Uitenbroek",
    "Veldhoven-Marr",
    "Wittenbos",
    "Zandmeer",
    "Achterveen",
    "Bosscheraad",
    "Duinewater",
    "Egmondter",
    "Hagenvlier",
    "Kreekmaat",
    "Lisserbroek-Ven",
    "Moerkapel",
    "Nieuwerhof",
    "Polderzwaan",
    "Rozenwaard",
    "Schelpendam",
    "Ternaarde",
    "Vlietmonde",
    "Wadderzee",
    "Zwanenkamp",
)

SITE_STEMS: tuple[str, ...] = (
    "Brem",
    "Lind",
    "Wilg",
    "Essen",
    "Vlier",
    "Hazel",
    "Berk",
    "Eik",
    "Iep",
    "Populier",
    "Kastanje",
    "Meidoorn",
    "Rozen",
    "Lijster",
    "Merel",
    "Reiger",
    "Kievit",
    "Zwaluw",
)

SITE_TAILS: tuple[str, ...] = (
    "kade",
    "brug",
    "weg Noord",
    "poort",
    "laan Oost",
    "dijk",
    "straat West",
    "singel",
)

MAKES: tuple[str, ...] = (
    "Volkswagen",
    "Toyota",
    "Renault",
    "Peugeot",
    "Opel",
    "Ford",
    "Kia",
    "Skoda",
    "BMW",
    "Volvo",
    "Tesla",
    "Fiat",
    "Hyundai",
    "Citroen",
    "Mercedes-Benz",
    "Nissan",
)

# Plate-reader colour vocabulary (Hikvision vehicleInfo/color), with rough market shares.
COLOURS: tuple[tuple[str, int], ...] = (
    ("white", 22),
    ("black", 20),
    ("silver", 16),
    ("grey", 18),
    ("blue", 14),
    ("red", 10),
)

# Hikvision vehicleType values, weighted for private vehicles and for background traffic.
PRIVATE_TYPES: tuple[tuple[str, int], ...] = (("vehicle", 80), ("SUVMPV", 18), ("van", 2))
TRAFFIC_TYPES: tuple[tuple[str, int], ...] = (
    ("vehicle", 70),
    ("SUVMPV", 15),
    ("van", 10),
    ("truck", 5),
)

HAUNT_KINDS: tuple[str, ...] = ("shop", "gym", "cafe", "market", "garage", "school")
HAUNT_NAMES: dict[str, tuple[str, ...]] = {
    "shop": ("Buurtsuper", "Bouwmarkt", "Drogisterij"),
    "gym": ("Sportschool", "Zwembad"),
    "cafe": ("Eetcafe", "Koffiehuis"),
    "market": ("Weekmarkt", "Groothandel"),
    "garage": ("Autogarage", "Tankstation"),
    "school": ("Basisschool", "Sporthal"),
}
WORK_NAMES: tuple[str, ...] = (
    "Depot",
    "Kantoor",
    "Werkplaats",
    "Distributiecentrum",
    "Kliniek",
    "Drukkerij",
)
