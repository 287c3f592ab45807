"""A film catalogue with typed metadata, generated with a fixed seed: the end-to-end set of
benchmarks/query_parsing.py (docs/query.md).

    python benchmarks/query/catalogue.py [--n 360] [--seed 7] > films.jsonl

Each record: id, text (a short description, what the vector search reads) and metadata: title,
director, genre, year (integer), rating (float, stars out of 5), country (an adjective: "French"),
cast (list of actors), runtime (minutes), price (rental, dollars), subtitles (boolean). The names are
drawn from the lists below, so the hand-written questions (questions.json) can name them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

__all__ = ["generate", "DIRECTORS", "ACTORS", "GENRES", "COUNTRIES"]

DIRECTORS = [
    "Alfred Hitchcock",
    "Akira Kurosawa",
    "Agnès Varda",
    "Federico Fellini",
    "Pedro Almodóvar",
    "Sofia Coppola",
    "Spike Lee",
    "Kathryn Bigelow",
    "Wong Kar-wai",
    "Bong Joon-ho",
    "Sergio Leone",
    "Greta Gerwig",
    "Jean-Luc Godard",
    "Billy Wilder",
    "Ingmar Bergman",
    "Satyajit Ray",
    "Céline Sciamma",
    "John Ford",
    "Guillermo del Toro",
    "Hayao Miyazaki",
]
ACTORS = [
    "Tom Hanks",
    "Meg Ryan",
    "Penélope Cruz",
    "Toshiro Mifune",
    "Marcello Mastroianni",
    "Sophia Loren",
    "Clint Eastwood",
    "John Wayne",
    "Audrey Hepburn",
    "Cary Grant",
    "Grace Kelly",
    "Jimmy Stewart",
    "Catherine Deneuve",
    "Song Kang-ho",
    "Tony Leung",
    "Maggie Cheung",
    "Frances McDormand",
    "Denzel Washington",
    "Cate Blanchett",
    "Isabelle Huppert",
    "Gael García Bernal",
    "Saoirse Ronan",
    "Marion Cotillard",
    "Javier Bardem",
    "Liv Ullmann",
    "Max von Sydow",
    "Juliette Binoche",
    "Bill Murray",
    "Scarlett Johansson",
    "Viola Davis",
]
GENRES = [
    "comedy",
    "drama",
    "western",
    "horror",
    "thriller",
    "romance",
    "science fiction",
    "animation",
    "documentary",
    "war",
    "musical",
    "crime",
]
COUNTRIES = [
    "American",
    "French",
    "Italian",
    "Japanese",
    "British",
    "Spanish",
    "Korean",
    "Indian",
    "Mexican",
    "Chinese",
    "Swedish",
]
#: Each director's country: a film's country is its director's.
HOME = {
    "Alfred Hitchcock": "British",
    "Akira Kurosawa": "Japanese",
    "Agnès Varda": "French",
    "Federico Fellini": "Italian",
    "Pedro Almodóvar": "Spanish",
    "Sofia Coppola": "American",
    "Spike Lee": "American",
    "Kathryn Bigelow": "American",
    "Wong Kar-wai": "Chinese",
    "Bong Joon-ho": "Korean",
    "Sergio Leone": "Italian",
    "Greta Gerwig": "American",
    "Jean-Luc Godard": "French",
    "Billy Wilder": "American",
    "Ingmar Bergman": "Swedish",
    "Satyajit Ray": "Indian",
    "Céline Sciamma": "French",
    "John Ford": "American",
    "Guillermo del Toro": "Mexican",
    "Hayao Miyazaki": "Japanese",
}
_ADJ = [
    "Silent",
    "Last",
    "Golden",
    "Broken",
    "Hidden",
    "Red",
    "Endless",
    "Lonely",
    "Wild",
    "Secret",
    "Burning",
    "Distant",
    "Little",
    "Crimson",
    "Frozen",
    "Lost",
]
_NOUN = [
    "River",
    "Summer",
    "Station",
    "Garden",
    "Harbour",
    "Mountain",
    "Letter",
    "Window",
    "Road",
    "Island",
    "Dance",
    "Mirror",
    "Train",
    "Orchard",
    "Bridge",
    "Storm",
]
_PLOTS = {
    "comedy": "a mix-up at a wedding turns two strangers into reluctant partners",
    "drama": "a family gathers after years apart and old wounds reopen",
    "western": "a lone gunslinger rides into a frontier town ruled by a cattle baron",
    "horror": "a house on the edge of town hides something that wakes at night",
    "thriller": "a witness to a murder is hunted across the city",
    "romance": "two people meet by chance and fall in love over one summer",
    "science fiction": "the crew of a starship finds a signal from a dead planet",
    "animation": "a young girl and a forest spirit set out to save their valley",
    "documentary": "filmmakers follow fishermen through a hard winter at sea",
    "war": "a platoon is trapped behind enemy lines in the last days of the war",
    "musical": "a struggling singer gets one night on a Broadway stage",
    "crime": "a heist crew plans one last robbery of a casino",
}


def generate(n: int = 360, seed: int = 7) -> list[dict]:
    """`n` film records, the same for the same `seed`."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        director = rng.choice(DIRECTORS)
        genre = rng.choice(GENRES)
        title = f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)}"
        year = rng.randint(1940, 2024)
        cast = rng.sample(ACTORS, rng.randint(2, 3))
        meta = {
            "title": title, "director": director, "genre": genre, "year": year,
            "rating": round(rng.uniform(1.0, 5.0), 1), "country": HOME[director], "cast": cast,
            "runtime": rng.randint(75, 180), "price": round(rng.choice([1.99, 2.99, 3.99, 4.99, 7.99, 9.99, 14.99,
                                                                        19.99, 24.99]), 2),
            "subtitles": rng.random() < 0.4,
        }  # fmt: skip
        text = (
            f"{title} ({year}), a {meta['country']} {genre} directed by {director}, starring "
            f"{' and '.join(cast)}: {_PLOTS[genre]}."
        )
        records.append({"id": f"f{i:03d}", "text": text, "metadata": meta})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=360)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for record in generate(args.n, args.seed):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
