"""A small NER model trained by doclinks' own trainer on synthetic sentences: the `small_ner_model` fixture.

Unit tests that need a model that finds entities use this one, not the shipped default model, so that
shipping a new default changes no unit test. It is all-MiniLM-L6-v2, frozen, under fresh GLiNER heads
(hidden 384, BiLSTM, spans up to 12 words, each label's vector read off its first token), the heads
trained for `STEPS` steps of 8 sentences on `synthetic_examples`: simple cased English sentences built
from the templates and names below, labelled "person", "location", "organization" and "date" (the
dates teach that a number is none of the other three), with up to 8 labels a sentence, the others
drawn from those four and `OTHER_LABELS`.
"""

from __future__ import annotations

from pathlib import Path

from doclinks.ner.checkpoints import create_model
from doclinks.ner.train.config import TrainConfig
from doclinks.ner.train.examples import Example
from doclinks.ner.train.trainer import Trainer
from doclinks.paths import packaged_minilm

from .synthetic import one_torch_thread, template_sentences

FIRST = [
    "Anna", "John", "Maria", "Omar", "Li", "Elena", "Pierre", "Aiko", "Grace", "Carlos", "Fatima", "Ivan",
    "Priya", "Kwame", "Sofia", "Hans", "Mei", "David", "Amara", "Lucas", "Ingrid", "Ahmed", "Yuki", "Rosa",
    "Thomas", "Leila", "Marco", "Nadia", "Samuel", "Chloe", "Raj", "Olga", "Diego", "Hannah", "Kenji", "Zara",
    "Edward", "Margaret", "Oscar", "Beatrice", "Felix", "Clara", "Victor", "Irene", "Hugo", "Agnes", "Boris",
    "Emma", "Henry", "Lydia", "Arthur", "Vera", "Simon", "Julia", "Nikolai", "Esther", "Malik", "Ruth",
    "Tariq", "Helen", "George", "Alice", "Rahul", "Ines", "Jonas", "Camille", "Tobias", "Noor", "Mateo",
]  # fmt: skip
LAST = [
    "Smith", "Garcia", "Wang", "Okafor", "Rossi", "Tanaka", "Hopper", "Mendes", "Khan", "Petrov", "Sharma",
    "Mensah", "Lopez", "Schmidt", "Chen", "Cohen", "Adeyemi", "Silva", "Larsen", "Haddad", "Yamamoto",
    "Moreau", "Novak", "Brown", "Kim", "Dubois", "Jensen", "Nakamura", "Fischer", "Costa", "Babbage",
    "Whitfield", "Kowalczyk", "Fitzgerald", "Lindqvist", "Okonkwo", "Castellanos", "Darwin", "Pemberton",
    "Abernathy", "Moretti", "Vasquez", "Ferreira", "Kaminski", "Hargreaves", "Bianchi", "Oyelaran", "Sato",
    "Nightingale", "Blackwood", "Delacroix", "Eriksen", "Gallagher", "Hoffmann", "Iyer", "Johansson",
]  # fmt: skip
PLACES = [
    "Paris", "Tokyo", "Berlin", "Lagos", "Lima", "Oslo", "London", "Nairobi", "Toronto", "Madrid", "Cairo",
    "Mumbai", "Sydney", "Boston", "Vienna", "Seoul", "Chicago", "Dublin", "Rome", "Lisbon", "France", "Japan",
    "Brazil", "Kenya", "Canada", "Norway", "Egypt", "India", "New York", "Buenos Aires", "Cape Town",
    "Edinburgh", "Marseille", "Munich", "Kyoto", "Havana", "Athens", "Prague", "Warsaw", "Istanbul",
    "Manchester", "Geneva", "Texas", "Bavaria", "Scotland", "Peru", "Vietnam", "Chile", "Iceland",
]  # fmt: skip
ORGS = [
    "Siemens", "NASA", "Toyota", "Oxfam", "Nokia", "Google", "the United Nations", "Microsoft", "UNESCO",
    "Harvard University", "the Red Cross", "Deutsche Bank", "Airbus", "the World Bank", "Reuters", "IBM",
    "Stanford University", "Greenpeace", "Samsung", "the BBC", "Acme Corp", "Interpol", "Unilever",
    "the Royal Society", "Boeing", "Nestlé", "the University of Oxford", "Amnesty International", "Intel",
    "the European Commission", "Philips", "the Bank of England", "Volvo", "MIT", "the New York Times",
]  # fmt: skip
DATES = ["2019", "1999", "March 2021", "June 5 , 2020", "1887", "last year", "May 1968", "1843", "the 1990s"]
TEMPLATES = [
    "{p} lives in {c} .", "{p} works for {o} .", "{o} opened an office in {c} .", "In {c} , {p} met {p2} .",
    "{p} visited {c} with {p2} .", "{p} joined {o} in {d} .", "{o} hired {p} in {c} .",
    "{p} , a researcher at {o} , moved to {c} in {d} .", "According to {p} , {o} will grow in {c} .",
    "{p} and {p2} founded {o} in {d} .", "{p} was born in {c} in {d} .", "The report by {o} was written in {c} .",
    "{p} left {o} and returned to {c} .", "{o} and {o2} signed a deal in {c} .", "{p} spoke about {o} in {c} .",
    "{p} wrote to {p2} from {c} .", "{p} worked with {p2} at {o} .", "{p2} met {p} in {c} in {d} .",
    "Last year {o} sent {p} to {c} .", "{c} welcomed {p} and {p2} .", "The letter from {p} reached {p2} in {c} .",
]  # fmt: skip
LABELS = {"p": "person", "p2": "person", "c": "location", "o": "organization", "o2": "organization", "d": "date"}
# Labels no sentence has: read as negatives beside the four real ones, so that the model learns to say no
# to a label, not just to tell the four apart.
OTHER_LABELS = [
    "food", "animal", "color", "disease", "chemical", "sport", "musical instrument", "vehicle", "language",
    "emotion", "plant", "software", "currency", "book", "film", "award",
]  # fmt: skip
STEPS = 200


def synthetic_examples(n: int, seed: int = 0) -> list[Example]:
    """`n` template sentences with their person / location / organization / date spans."""
    people = [f"{first} {last}" for first in FIRST for last in LAST]
    values = {"p": people, "p2": people, "c": PLACES, "o": ORGS, "o2": ORGS, "d": DATES}
    return [Example(words, spans, "synthetic") for words, spans in template_sentences(n, TEMPLATES, values, LABELS, seed)]


def build_small_ner_checkpoint(output: Path, *, steps: int = STEPS, seed: int = 0) -> Path:
    """Train the small model into the run folder `output` (`steps` steps, default `STEPS`); return its
    checkpoint folder."""
    # Label vectors off the label's own first token: the frozen encoder already gives that a meaning,
    # where a fresh <<ENT>> marker would need the encoder trained too (hundreds of steps more).
    config, tokenizer, network = create_model(packaged_minilm(), dropout=0.1, seed=seed, embed_ent_token=False)
    train = TrainConfig(
        seed=seed, steps=steps, batch_size=8, max_types=8, paraphrase_prob=0.0, max_words=32, freeze_layers=6,
        lr_others=3e-3, warmup_ratio=0.1, save_every=0, save_minutes=0, keep=1,
    )  # fmt: skip
    pool = {"synthetic": synthetic_examples(400, seed)}
    labels = sorted(set(LABELS.values())) + OTHER_LABELS
    with one_torch_thread():
        summary = Trainer(config, tokenizer, network, pool, train, output, labels=labels, progress=False).run()
    return Path(summary["checkpoint"])
