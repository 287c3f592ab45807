"""The small NER model of the tests (`small_ner_model`): trained once by doclinks' own trainer, its weights
committed as a fixture, so that every machine runs the same model.

Unit tests that need a model that finds entities use this one, not the shipped default model, so that
shipping a new default changes no unit test. It is all-MiniLM-L6-v2, frozen, under GLiNER heads (hidden
384, BiLSTM, spans up to 12 words, each label's vector read off its first token), the heads trained for
`STEPS` steps of 8 sentences on `synthetic_examples`: simple cased English sentences built from the
templates and names below, labelled "person", "location", "organization" and "date" (the dates teach that
a number is none of the other three), with up to 8 labels a sentence, the others drawn from those four and
`OTHER_LABELS`.

Why a committed fixture: 200 training steps amplify the float rounding of the machine (AVX-512 against
AVX2 kernels, other library builds), so a model trained during the test run came out different on another
CPU and tests that asserted its predictions failed there. The trained weights that are not the packaged
encoder's (the heads, and the embedding rows of the three added marker tokens) are in `HEADS_FILE`
(safetensors, float16: 12 MB), whose SHA-256 is `HEADS_SHA256`; `build_small_ner_checkpoint` puts them
over the packaged all-MiniLM-L6-v2 and saves a checkpoint folder (loadable by `gliner` too). To remake
the fixture (after a change to the recipe below): `python -m tests.ner.small_model`, which trains,
writes `HEADS_FILE` and prints the new hash to record here.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from doclinks.ner.checkpoints import create_model, load_checkpoint, save_checkpoint
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
    return [
        Example(words, spans, "synthetic") for words, spans in template_sentences(n, TEMPLATES, values, LABELS, seed)
    ]


HEADS_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "small_ner_heads.safetensors"
HEADS_SHA256 = "a4c4916efaedad96fa98dcee98668effbc42917f2696840b3786c4270f3852c6"
# The network as `create_model` builds it for this recipe (label vectors off the label's own first token:
# the frozen encoder already gives that a meaning, where a fresh <<ENT>> marker would need the encoder
# trained too, hundreds of steps more).
MODEL_SETTINGS = {"dropout": 0.1, "embed_ent_token": False}
ENCODER_PREFIX = "token_rep_layer.bert_layer.model."
WORD_EMBEDDINGS = ENCODER_PREFIX + "embeddings.word_embeddings.weight"
ADDED_ROWS = WORD_EMBEDDINGS + ".added_rows"  # the rows of the marker tokens, past the encoder's vocabulary


def train_small_ner_checkpoint(output: Path, *, steps: int = STEPS, seed: int = 0) -> Path:
    """Train the small model into the run folder `output` (`steps` steps, default `STEPS`), on one torch
    thread; return its checkpoint folder. Its weights depend on the machine: tests load the fixture."""
    config, tokenizer, network = create_model(packaged_minilm(), seed=seed, **MODEL_SETTINGS)
    train = TrainConfig(
        seed=seed, steps=steps, batch_size=8, max_types=8, paraphrase_prob=0.0, max_words=32, freeze_layers=6,
        lr_others=3e-3, warmup_ratio=0.1, save_every=0, save_minutes=0, keep=1,
    )  # fmt: skip
    pool = {"synthetic": synthetic_examples(400, seed)}
    labels = sorted(set(LABELS.values())) + OTHER_LABELS
    with one_torch_thread():
        summary = Trainer(config, tokenizer, network, pool, train, output, labels=labels, progress=False).run()
    return Path(summary["checkpoint"])


def encoder_weights() -> dict[str, torch.Tensor]:
    """The packaged all-MiniLM-L6-v2's weights under the network's names (what the fixture leaves out)."""
    _, _, network = create_model(packaged_minilm(), seed=0, **MODEL_SETTINGS)
    return {k: v for k, v in network.state_dict().items() if k.startswith(ENCODER_PREFIX)}


def heads_of(state: dict[str, torch.Tensor], encoder: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The part of a trained network's `state` that the packaged encoder does not give: every tensor
    outside the encoder, any encoder tensor that differs from `encoder`, and, for the word embeddings
    (resized for the markers), only the added rows."""
    out = {}
    for name, value in state.items():
        if name == WORD_EMBEDDINGS:
            base = encoder_vocab_rows()
            if not torch.equal(value[:base], encoder[name][:base]):
                raise ValueError("the encoder's word embeddings changed in training: the fixture assumes them frozen")
            out[ADDED_ROWS] = value[base:].contiguous()
        elif name not in encoder or not torch.equal(value, encoder[name]):
            out[name] = value.contiguous()
    return out


def encoder_vocab_rows() -> int:
    """The number of rows of the packaged encoder's own word embeddings (before the markers)."""
    import json

    return json.loads((packaged_minilm() / "config.json").read_text())["vocab_size"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_heads_fixture(target: Path = HEADS_FILE, *, steps: int = STEPS, seed: int = 0) -> str:
    """Train the small model and write its heads to `target`; return the file's SHA-256."""
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = train_small_ner_checkpoint(Path(tmp) / "run", steps=steps, seed=seed)
        _, _, network = load_checkpoint(checkpoint)
        heads = heads_of(network.state_dict(), encoder_weights())
    target.parent.mkdir(parents=True, exist_ok=True)
    # Half precision halves the file (the model is the fixture, not the run that made it: every machine
    # reads these same numbers, widened to float32).
    heads = {k: v.to(torch.float16) for k, v in heads.items()}
    save_file(
        heads, str(target), metadata={"recipe": "tests/ner/small_model.py", "steps": str(steps), "seed": str(seed)}
    )
    return sha256(target)


def build_small_ner_checkpoint(output: Path, heads: Path = HEADS_FILE) -> Path:
    """The small model as a checkpoint folder `output`: the committed `heads` over the packaged encoder."""
    config, tokenizer, network = create_model(packaged_minilm(), seed=0, **MODEL_SETTINGS)
    weights = {k: v.to(torch.float32) for k, v in load_file(str(heads)).items()}
    state = network.state_dict()
    rows = weights.pop(ADDED_ROWS)
    base = encoder_vocab_rows()
    if state[WORD_EMBEDDINGS].shape[0] != base + rows.shape[0]:
        raise ValueError(
            f"{heads}: {rows.shape[0]} added embedding rows, the network has {state[WORD_EMBEDDINGS].shape[0] - base}"
        )
    state[WORD_EMBEDDINGS] = torch.cat([state[WORD_EMBEDDINGS][:base], rows])
    missing = [k for k in state if not k.startswith(ENCODER_PREFIX) and k not in weights]
    unknown = [k for k in weights if k not in state]
    if missing or unknown:
        raise ValueError(f"{heads} does not fit the network: missing {missing[:5]}, unknown {unknown[:5]}")
    state.update(weights)
    network.load_state_dict(state)
    network.eval()
    return save_checkpoint(output, config, tokenizer, network)


if __name__ == "__main__":
    digest = write_heads_fixture(Path(sys.argv[1]) if len(sys.argv) > 1 else HEADS_FILE)
    print(f"wrote the small model's heads; record HEADS_SHA256 = {digest!r} in tests/ner/small_model.py")
