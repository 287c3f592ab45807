"""Label names: the natural-language name of each data set's label, paraphrases, and which names are too
close to be each other's negatives.

Training reads labels as words ("person", "chemical", "algorithm"), not tags: `normalize_label` renames
each set's labels (conll "else" -> "miscellaneous", BC5CDR "Chemical" -> "chemical", Few-TK's
"AI/ML/DL-algorithm/tool" -> "algorithm", OntoNotes "GPE" -> "city or state"), `PARAPHRASES` lets the
model read the same kind under other names (person / human / person name), and `RELATED` groups the
names a negative must never come from (see `sampling.LabelSampler`).
"""

from __future__ import annotations

import re

# Few-TK types are "<domain>-<kind>"; the kind decides the name (the domain is too fine to learn here).
FEW_TK_KINDS = {
    "focus": "task",
    "technique": "technique",
    "algorithm/tool": "algorithm",
    "domain": "field",
    "dataset": "dataset",
    "metrics": "metric",
}
FEW_TK_SPECIAL = {
    "URL-material": "url",
    "Numerical-result": "numerical result",
    "Application-domain": "application area",
}

# The catch-all label: a named thing of no kind the label set offers (CoNLL's "miscellaneous", CrossNER's
# "else"). Taught only on sources that annotate every name of their texts, where a name's kind left out of
# the label set is known to be "other" and a name-free remainder is known not to be.
CATCH_ALL = "other"
EXHAUSTIVE_SOURCES = ("few-nerd", "multiconer2-en", "silver")

# OntoNotes types (spaCy silver labels) -> names.
ONTONOTES = {
    "PERSON": "person",
    "NORP": "nationality or group",
    "FAC": "facility",
    "ORG": "organization",
    "GPE": "city or state",  # countries are told apart by name in the silver builder
    "LOC": "location",
    "PRODUCT": "product",
    "EVENT": "event",
    "WORK_OF_ART": "creative work",
    "LAW": "law",
    "LANGUAGE": "language",
    "DATE": "date",
    "TIME": "time",
    "PERCENT": "percentage",
    "MONEY": "money",
    "QUANTITY": "quantity",
    "ORDINAL": "ordinal number",
    "CARDINAL": "number",
}

SET_LABELS = {
    "conll2003": {"else": "miscellaneous"},
    "wnut17": {"corporation": "company", "creative-work": "creative work"},
    "bc5cdr": {"Chemical": "chemical", "Disease": "disease"},
    "ncbi-disease": {"Disease": "disease"},
    # The query sets' coarse "work of art" is the pool's "creative work" (and a paraphrase of it); their
    # "party" (party_size_description: "me and my friends") is not a political party.
    "snips": {"work of art": "creative work", "party": "party of people"},
    "sgd": {"work of art": "creative work"},
}


def normalize_label(label: str, source: str = "") -> str | None:
    """The natural-language name of a data set's label; None drops the label (too vague to learn)."""
    if source in SET_LABELS and label in SET_LABELS[source]:
        return SET_LABELS[source][label]
    if source == "few-tk":
        if label in FEW_TK_SPECIAL:
            return FEW_TK_SPECIAL[label]
        kind = label.split("-", 1)[1] if "-" in label else label
        return FEW_TK_KINDS.get(kind)
    if label in ONTONOTES:
        return ONTONOTES[label]
    name = label.replace("_", " ").strip().lower()
    return name or None


# Paraphrases: the model reads one of these instead of the canonical name, so that it learns the meaning.
PARAPHRASES: dict[str, list[str]] = {
    "person": ["human", "person name", "people name", "individual", "name of a person"],
    "organization": ["organisation", "company or institution", "organization name", "institution"],
    "location": ["place", "geographic location", "place name", "geographical location"],
    "miscellaneous": ["misc", "else", "other entity", "miscellaneous entity"],
    "company": ["corporation", "business", "firm", "company name"],
    "product": ["commercial product", "product name", "brand or product"],
    "creative work": ["work of art", "title of a work", "artwork", "creative work title"],
    "group": ["band or team", "collective", "group name"],
    "chemical": ["chemical compound", "drug", "chemical substance", "medication"],
    "disease": ["illness", "medical condition", "disorder", "disease name"],
    "algorithm": ["method", "machine learning method", "model or algorithm"],
    "task": ["research task", "problem", "research problem"],
    "field": ["research field", "scientific field", "area of study", "research area"],
    "metric": ["metrics", "evaluation metric", "measure", "score metric"],
    "dataset": ["data set", "corpus", "benchmark dataset"],
    "technique": ["model name", "proposed method", "system name"],
    "url": ["web address", "link", "website"],
    "numerical result": ["score", "result value"],
    "application area": ["application domain", "application"],
    "nationality or group": ["nationality", "nationality, religious or political group", "ethnic or political group"],
    "facility": ["building", "infrastructure", "venue or building"],
    "city or state": ["city", "geopolitical entity", "city, state or region", "state or province"],
    "country": ["nation", "country name", "state (country)"],
    "event": ["happening", "named event", "occasion"],
    "law": ["legal document", "act or treaty", "legislation"],
    "language": ["human language", "spoken language"],
    "date": ["day or year", "point in time", "year"],
    "time": ["time of day", "hour"],
    "percentage": ["percent"],
    "money": ["monetary amount", "amount of money", "price"],
    "quantity": ["measurement", "amount"],
    "ordinal number": ["ordinal", "rank"],
    "number": ["cardinal number", "count"],
    CATCH_ALL: ["else", "miscellaneous", "misc", "other entity"],
    # names of the wide sets (Few-NERD, MultiCoNER II, BioNLP13CG, AnatEM)
    "politician": ["political figure", "statesman or politician", "politician name", "elected official"],
    "athlete": ["sportsperson", "sports player", "athlete name"],
    "artist or author": ["artist", "author or artist", "creator of a work"],
    "artist": ["artist name", "performer or artist"],
    "actor": ["actress or actor", "film actor", "performer"],
    "director": ["film director", "director name"],
    "scientist": ["researcher", "scholar", "scientist name"],
    "soldier": ["military person", "military officer"],
    "cleric": ["religious leader", "priest or bishop"],
    "sports manager": ["coach", "team manager"],
    "political party": ["party", "political organization"],
    "sports team": ["team", "club", "sports club"],
    "sports league": ["league", "competition league"],
    "educational institution": ["university or school", "school", "academic institution"],
    "government agency": ["government body", "public agency", "government organization"],
    "media organization": ["newspaper or broadcaster", "news organization", "media company"],
    "musical group": ["band", "music group", "musical ensemble"],
    "public company": ["listed company", "corporation"],
    "private company": ["privately held company", "firm"],
    "car manufacturer": ["automaker", "car maker"],
    "aerospace manufacturer": ["aircraft maker", "aerospace company"],
    "country, city or state": ["country or city", "geopolitical entity", "city, country or region"],
    "city, town or village": ["settlement", "town", "human settlement"],
    "road, railway or transit line": ["road", "railway line", "transport route"],
    "body of water": ["lake, river or sea", "water body", "river or lake"],
    "mountain": ["mountain or peak", "peak"],
    "island": ["island name", "isle"],
    "station": ["railway station", "train station", "transit station"],
    "written work": ["book", "literary work", "written publication"],
    "musical work": ["song or album", "piece of music", "music title"],
    "film": ["movie", "film title", "motion picture"],
    "broadcast program": ["television show", "tv or radio program", "tv series"],
    "visual work": ["film or tv show", "visual media", "movie or television work"],
    "artwork": ["work of visual art", "painting or sculpture"],
    "software": ["computer program", "application software", "software product"],
    "car": ["automobile", "car model", "vehicle model"],
    "aircraft": ["airplane", "aeroplane", "plane model"],
    "ship": ["vessel", "boat", "ship name"],
    "weapon": ["arms", "weapon name", "armament"],
    "vehicle": ["means of transport", "vehicle model"],
    "food": ["dish", "food item", "meal or ingredient"],
    "drink": ["beverage", "drink name"],
    "clothing": ["garment", "apparel", "item of clothing"],
    "sports event": ["sports competition", "tournament", "match or tournament"],
    "military conflict": ["war or battle", "war", "battle"],
    "election": ["elections", "vote", "electoral event"],
    "disaster": ["natural disaster", "catastrophe", "accident or disaster"],
    "protest": ["demonstration", "protest movement"],
    "award": ["prize", "honour", "award name"],
    "educational degree": ["academic degree", "degree"],
    "god": ["deity", "divinity"],
    "living thing": ["animal or plant", "organism name", "species"],
    "biological entity": ["biological thing", "biomolecule"],
    "astronomical object": ["celestial body", "planet or star"],
    "medical term": ["medical concept", "medical entity"],
    "hospital": ["medical centre", "clinic"],
    "theater": ["theatre", "playhouse"],
    "sports facility": ["stadium", "arena", "sports venue"],
    "airport": ["airfield", "airport name"],
    "hotel": ["inn", "hotel name"],
    "restaurant": ["eatery", "restaurant name", "diner"],
    "medication or vaccine": ["medicine", "drug or vaccine", "medication"],
    "medical procedure": ["treatment", "surgery or therapy", "clinical procedure"],
    "symptom": ["clinical sign", "medical symptom"],
    "anatomical structure": ["body part", "anatomy", "part of the body"],
    "gene or gene product": ["gene", "protein", "gene or protein"],
    "cell": ["cell type", "cell line"],
    "cancer": ["tumour", "tumor", "malignancy"],
    "organism": ["species", "living organism"],
    "organ": ["body organ", "internal organ"],
    "tissue": ["body tissue", "biological tissue"],
}

# Canonical names too close to be told apart: never a negative of one another.
RELATED = [
    {"organization", "company", "group", "facility", "nationality or group"},
    {"location", "city or state", "country", "facility"},
    {"creative work", "product", "miscellaneous", "event", "law"},
    {"algorithm", "technique", "task", "field", "application area", "dataset", "metric"},
    {"chemical", "disease"},
    # Across sets these name the same things; fine types of one set (politician, athlete) stay apart.
    {"chemical", "medication or vaccine", "amino acid"},
    {"disease", "cancer", "medical term", "symptom"},
    {"location", "country, city or state", "city, town or village", "city or state", "country"},
    {"company", "public company", "private company"},
    {"date", "time", "number", "quantity", "percentage", "money", "ordinal number", "numerical result"},
]
# Kinds that most sets leave unannotated although their texts are full of them: no negatives of these
# for examples of sets that do not annotate them.
UNANNOTATED_IN_GOLD = {"date", "time", "number", "quantity", "percentage", "money", "ordinal number"}
SILVER_SOURCES = ("silver",)


FUNCTION_WORDS = {"or", "and", "of", "a", "an", "the", "in", "on", "for", "to"}


def content_words(label: str) -> set[str]:
    """The words of a label name that carry meaning ("city, town or village" -> city, town, village)."""
    return {w for w in re.findall(r"\w+", label.lower()) if w not in FUNCTION_WORDS}


def related_labels(label: str) -> set[str]:
    """The label and every label of a `RELATED` group it belongs to."""
    out = {label}
    for group in RELATED:
        if label in group:
            out |= group
    return out
