"""A realistic user file in Cognito's CSV dialect, seeded and cached in benchmarks/data/.

The 21 default columns in GetCSVHeader's order; every row valid for a pool whose
AutoVerifiedAttributes is email: unique usernames and emails, ``email_verified`` true,
``cognito:mfa_enabled`` false. Some names and addresses hold ``\\,`` (a comma inside a
value) and non-ASCII letters; about a third of the rows have a phone number.
"""

from __future__ import annotations

import os
import random
import unicodedata
from pathlib import Path

from benchmarks.common import DATA_DIR

# Bump when the content changes, so that a cached file of the old shape is not reused.
VERSION = 1
SEED = 20240605
FULL_ROWS = 500_000

HEADER = (
    "name,given_name,family_name,middle_name,nickname,preferred_username,profile,picture,"
    "website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,"
    "phone_number_verified,address,updated_at,cognito:mfa_enabled,cognito:username"
)

GIVEN = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa "
    "Matthew Betty Anthony Margaret Mark Sandra José María Zoë Chloé Renée François Søren "
    "Björn Łukasz Małgorzata Jürgen Jörg Ægir Íñigo Çağla Dmitrij Анна Иван Sofía Ana Luis "
    "Yuki Hiroshi 陈 李 Ngozi Chidi Aarav Priya Fatima Omar Noah Emma Olivia Liam Ava Mia"
).split()
FAMILY = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Müller Schäfer Großmann Øster Ångström "
    "Nuñez Peña Kowalski Wiśniewski Dvořák Novák Иванов Петрова O'Brien D'Angelo Nakamura "
    "Tanaka 王 张 Okafor Adeyemi Sharma Patel Haddad Nguyen Kim Park Silva Santos Costa"
).split()
MIDDLE = "A. B. C. D. E. J. K. L. M. R. S. T. Marie Ann Lee Jean".split()
STREETS = "Main St,Oak Ave,Maple Dr,Cedar Ln,Elm St,Pine Rd,Lake View,Hauptstraße,Rue de Rivoli"
CITIES = "Springfield,Portland,Austin,Denver,München,Zürich,Paris,São Paulo,Kraków,Tōkyō"
ZONES = "America/New_York America/Chicago America/Los_Angeles Europe/Paris Europe/Berlin".split()
LOCALES = "en-US en-GB fr-FR de-DE es-ES pt-BR pl-PL ja-JP".split()
DOMAINS = "example.com example.org mail.example.net corp.example.io".split()
GENDERS = ("female", "male", "", "", "")


# File variants: the same users, shaped for a pool shape or with collisions.
CLEAN = "clean"
EMAIL_USERNAME = "email-username"  # cognito:username holds the email
COLLISIONS = "collisions"
VARIANTS = (CLEAN, EMAIL_USERNAME, COLLISIONS)
USERNAME_AT, EMAIL_AT, PHONE_AT, PHONE_VERIFIED_AT = 20, 9, 15, 16


def path_for(rows: int, variant: str = CLEAN) -> Path:
    suffix = "" if variant == CLEAN else f"-{variant}"
    return DATA_DIR / f"users-v{VERSION}-{rows}{suffix}.csv"


def _shaped(fields: list[str], variant: str, i: int, earlier: list[list[str]]) -> list[str]:
    """``fields`` of row ``i`` for ``variant``. Collisions, one row in twenty each, in a
    case-insensitive email-alias pool: a username ten rows back in another case
    (SKIPPED), an email ten rows back in upper case (FAILED), a bad phone (FAILED)."""
    if variant == EMAIL_USERNAME:
        fields[USERNAME_AT] = fields[EMAIL_AT]
    elif variant == COLLISIONS and len(earlier) >= 10:
        back = earlier[-10]
        if i % 20 == 3:
            fields[USERNAME_AT] = back[USERNAME_AT].upper()
        elif i % 20 == 7:
            fields[EMAIL_AT] = back[EMAIL_AT].upper()
        elif i % 20 == 11:
            fields[PHONE_AT], fields[PHONE_VERIFIED_AT] = "555-0100", "false"
    return fields


def _ascii(text: str) -> str:
    """A username-safe form of a name (letters only, lower case; "x" if none are Latin)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalnum()) or "x"


def _fields(rng: random.Random, i: int) -> list[str]:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    middle = rng.choice(MIDDLE) if rng.random() < 0.3 else ""
    roll = rng.random()
    if roll < 0.05:
        name = f"{family}\\, {given}"  # "Last, First": the escaped comma
    elif roll < 0.08:
        name = f"{given} {family}\\, Jr."
    else:
        name = f"{given} {middle + ' ' if middle else ''}{family}"
    # Letters then the row number: unique however the names repeat.
    username = f"{_ascii(given)[0]}{_ascii(family)}{i}"
    email = f"{_ascii(given)}.{_ascii(family)}{i}@{rng.choice(DOMAINS)}"
    nickname = given[:4] if rng.random() < 0.2 else ""
    preferred = f"{_ascii(given)}{i}" if rng.random() < 0.3 else ""
    profile = f"https://social.example.com/{username}" if rng.random() < 0.1 else ""
    picture = f"https://cdn.example.com/avatars/{i:06d}.png" if rng.random() < 0.15 else ""
    website = f"https://{_ascii(family)}.example.net" if rng.random() < 0.1 else ""
    birthdate = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1940, 2006)}"
    zone = rng.choice(ZONES) if rng.random() < 0.6 else ""
    locale = rng.choice(LOCALES)
    if rng.random() < 0.35:
        phone, phone_verified = f"+1{rng.randint(2_000_000_000, 9_999_999_999)}", "false"
    else:
        phone, phone_verified = "", ""
    address = ""
    if rng.random() < 0.4:
        street = rng.choice(STREETS.split(","))
        city = rng.choice(CITIES.split(","))
        address = f"{rng.randint(1, 9999)} {street}\\, {city}"
    updated = str(1_600_000_000 + rng.randint(0, 100_000_000))
    return list(
        (
            name,
            given,
            family,
            middle,
            nickname,
            preferred,
            profile,
            picture,
            website,
            email,
            "true",
            rng.choice(GENDERS),
            birthdate,
            zone,
            locale,
            phone,
            phone_verified,
            address,
            updated,
            "false",
            username,
        )
    )


def generate(rows: int, variant: str = CLEAN) -> Path:
    """The cached file of ``rows`` data rows, written on first use (atomically)."""
    path = path_for(rows, variant)
    if path.exists():
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fp:
        fp.write(HEADER + "\n")
        lines: list[str] = []
        earlier: list[list[str]] = []
        for i in range(1, rows + 1):
            fields = _shaped(_fields(rng, i), variant, i, earlier)
            earlier = [*earlier[-9:], fields]
            lines.append(",".join(fields))
            if len(lines) == 10_000:
                fp.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            fp.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
    return path


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Generate the benchmark CSV.")
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--variant", choices=VARIANTS, default=CLEAN)
    args = parser.parse_args()
    path = generate(args.rows, args.variant)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
