"""Varied texts and label sets for the parity tests (deterministic)."""

from __future__ import annotations

import random

EDGE_TEXTS = [
    "",
    " ",
    "\n\t ",
    "a",
    "A.",
    "Hi",
    "?",
    "U.S.A.",
    "état-major",
    "naïve café résumé à Paris",
    "東京は日本の首都です。",
    "北京 and 上海 are cities in 中国 .",
    "Emoji 😀 test 🇫🇷 ok 👍🏽 done",
    "e-mail x_y z_1 a-b-c well-known",
    "3.14 and 1,000,000 and 2021-03-04 at 10:30pm",
    "(parenthesis) [brackets] {braces} <angle>",
    "O'Brien's car isn't Smith’s",
    "“smart quotes” and «guillemets»",
    "tab\tseparated\nnew line\r\nwindows",
    "Ünïcödé Ålesund Øresund Þingvellir",
    "Москва — столица России.",
    "القاهرة هي عاصمة مصر",
    "Dr. Jane Doe-Smith, Ph.D., joined ACME Inc. on Jan. 5th.",
    "   leading and trailing spaces   ",
    "multiple     spaces    between",
    "ALL CAPS HEADLINE ABOUT NASA",
    "no punctuation at all just words flowing",
    "!!!???...",
    "#hashtag @mention http://example.com/a?b=c",
    "Barack Obama was born in Honolulu , Hawaii , on August 4 , 1961 .",
    "Angela Merkel met Emmanuel Macron in Berlin to discuss the European Union budget.",
    "Apple Inc. released the iPhone 15 in September 2023 in Cupertino, California.",
]
WORDS = [
    "the", "of", "and", "in", "to", "a", "was", "is", "for", "on", "with", "by", "at", "from", "said", "visited",
    "Barack", "Obama", "Angela", "Merkel", "Paris", "London", "Google", "Microsoft", "United", "Nations", "Zoë",
    "José", "São", "Paulo", "Kraków", "Müller", "2019", "1,200", "3.5%", "$40", "—", "-", ",", ".", "!", "?", ";",
    ":", "(", ")", "'s", "well-known", "co-founder", "e-mail", "x_y", "😀", "🚀", "東京", "大学", "ß", "naïve",
    "Dr.", "Inc.", "U.S.", "NASA", "COVID-19", "mRNA", "Python", "Linux", "Nobel", "Prize", "river", "Amazon",
    "president", "company", "city", "born", "election", "album", "song", "band", "film", "drug", "disease",
]  # fmt: skip
LABEL_POOL = [
    "person", "location", "organization", "date", "city", "country", "company", "product", "event", "money",
    "percentage", "programming language", "university", "award", "disease", "drug", "band", "album", "song",
    "film", "political party", "river", "scientist", "misc", "nationality", "time", "law", "book", "vehicle",
    "sports team",
]  # fmt: skip


def parity_cases(n_generated: int = 200, seed: int = 7) -> tuple[list[str], list[list[str] | dict[str, str]]]:
    """Texts and one label set per text: the edge cases plus `n_generated` random ones."""
    rng = random.Random(seed)
    texts = list(EDGE_TEXTS)
    for _ in range(n_generated):
        n = rng.choice([1, 2, 3, 5, 8, 13, 21, 34, 55, 80])
        words = [rng.choice(WORDS) for _ in range(n)]
        texts.append(rng.choice([" ", " ", " ", "  ", "\n"]).join(words) if rng.random() < 0.2 else " ".join(words))
    label_sets: list[list[str] | dict[str, str]] = []
    for _ in texts:
        k = rng.randint(1, 20)
        names = rng.sample(LABEL_POOL, k)
        if rng.random() < 0.15:
            label_sets.append({name: f"{name} mentioned in the text" for name in names})
        else:
            label_sets.append(names)
    return texts, label_sets
