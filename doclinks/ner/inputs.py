"""From text and labels to encoder input: words, prompts, windows and label groups, padded batches.

The input of one encoder row is `[CLS] <<ENT>> label1 <<ENT>> label2 ... <<SEP>> word1 word2 ... [SEP]`
(as in `gliner`); words are tokenized once per text, prompts once per label set, and rows are assembled
from those ids. A text too long for one row is read in overlapping windows of words, and a label set too
long for one prompt is split into groups, so no text is ever dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import torch

# The `gliner` whitespace splitter: words with inner hyphens/underscores, or any single non-space character.
WORD_PATTERN = re.compile(r"\w+(?:[-_]\w+)*|\S")


# Word shapes, the capitalisation signal an uncased encoder cannot see (`GLiNERConfig.word_shape`).
SHAPE_NONE, SHAPE_LOWER, SHAPE_TITLE, SHAPE_UPPER, SHAPE_MIXED, SHAPE_NO_CASE = range(6)
NUM_WORD_SHAPES = 6
# A word whose case is not known (training rows with the case cue withheld) reads the vector of the tokens
# that have no word shape: it says nothing about capitalisation.
SHAPE_UNKNOWN = SHAPE_NONE


def word_shape(word: str) -> int:
    """The shape class of `word`: lower ("apple"), Title ("Apple", "A"), UPPER ("IBM"), mixed ("iPhone"),
    or no cased letter ("1999", ",", "東京"). `SHAPE_NONE` (0) is kept for tokens that are not text words."""
    cased = [c for c in word if c.isupper() or c.islower()]
    if not cased:
        return SHAPE_NO_CASE
    if all(c.islower() for c in cased):
        return SHAPE_LOWER
    if cased[0].isupper() and all(c.islower() for c in cased[1:]):
        return SHAPE_TITLE
    if all(c.isupper() for c in cased):
        return SHAPE_UPPER
    return SHAPE_MIXED


def row_shape_ids(
    length: int, word_positions: list[int], word_pieces: list[list[int]], shapes: list[int], text_end: int
) -> list[int]:
    """Shape id of every token of a row of `length` tokens: each word's sub-tokens (up to `text_end`, where
    the row's suffix begins) get its shape, every other token (specials, prompts) `SHAPE_NONE`."""
    out = [SHAPE_NONE] * length
    for position, pieces, shape in zip(word_positions, word_pieces, shapes):
        for p in range(position, min(position + len(pieces), text_end)):
            out[p] = shape
    return out


def split_words(text: str) -> tuple[list[str], list[int], list[int]]:
    """Split `text` into words; return the words and their character start and end (exclusive) offsets."""
    words, starts, ends = [], [], []
    for match in WORD_PATTERN.finditer(text):
        words.append(match.group())
        starts.append(match.start())
        ends.append(match.end())
    return words, starts, ends


def nfc_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """`text` in Unicode NFC, and for each of its characters the start and end (exclusive) in `text` of
    the characters it came from. Composition runs per base character and its combining marks, so every
    composed character maps back to whole characters of the original ("e" + U+0301 -> "é": 2 to 1)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(out), starts, ends


def is_per_text_labels(labels: object) -> bool:
    """True when `labels` holds one label set per text (a list of lists or dicts)."""
    return isinstance(labels, list) and bool(labels) and all(isinstance(x, (list, tuple, Mapping)) for x in labels)


@dataclass
class SpecialIds:
    """Token ids around a row and of the prompt markers, read off the tokenizer."""

    prefix: list[int]  # e.g. [CLS]
    suffix: list[int]  # e.g. [SEP]
    ent: int
    pad: int


def special_ids(tokenizer, ent_token: str) -> SpecialIds:
    """Find the ids a tokenizer puts around a pre-split input, by encoding a probe word with and without them."""
    probe = ["probe"]
    bare = tokenizer(probe, is_split_into_words=True, add_special_tokens=False)["input_ids"]
    full = tokenizer(probe, is_split_into_words=True, add_special_tokens=True)["input_ids"]
    for i in range(len(full) - len(bare) + 1):
        if full[i : i + len(bare)] == bare:
            prefix, suffix = full[:i], full[i + len(bare) :]
            break
    else:  # pragma: no cover - no tokenizer we know does this
        raise ValueError("cannot locate the words inside the tokenizer's special-token template")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    return SpecialIds(prefix=prefix, suffix=suffix, ent=tokenizer.convert_tokens_to_ids(ent_token), pad=pad)


def tokenize_words(tokenizer, texts_words: list[list[str]], unk_id: int) -> list[list[list[int]]]:
    """Sub-token ids of every word of every text, tokenized as pre-split words (as upstream).

    A word the tokenizer reduces to nothing (a lone combining mark, a zero-width character) gets the
    unknown token, so that every word has a vector; upstream instead shifts all later words by one.
    """
    out: list[list[list[int]]] = []
    nonempty = [words for words in texts_words if words]
    if not nonempty:
        return [[] for _ in texts_words]
    # Whole texts, however long: windows are cut afterwards, so the length warning does not apply.
    encoded = tokenizer(nonempty, is_split_into_words=True, add_special_tokens=False, verbose=False)
    k = 0
    for words in texts_words:
        if not words:
            out.append([])
            continue
        ids = encoded["input_ids"][k]
        word_ids = encoded.word_ids(k)
        k += 1
        per_word: list[list[int]] = [[] for _ in words]
        for token_id, w in zip(ids, word_ids):
            if w is not None:
                per_word[w].append(token_id)
        out.append([pieces if pieces else [unk_id] for pieces in per_word])
    return out


@dataclass
class Prompt:
    """Ids of `<<ENT>> p1 <<ENT>> p2 ... <<SEP>>` and where each label's `<<ENT>>` marker sits in them."""

    ids: list[int]
    marker_positions: list[int]


def tokenize_prompt(tokenizer, prompts: list[str], ent_token: str, sep_token: str) -> Prompt:
    """Tokenize the prompt of one label group (each prompt is one pre-split word, as upstream)."""
    words: list[str] = []
    for prompt in prompts:
        words.append(ent_token)
        words.append(prompt)
    words.append(sep_token)
    encoded = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
    word_ids = encoded.word_ids()
    first = {}
    for position, w in enumerate(word_ids):
        if w is not None and w not in first:
            first[w] = position
    return Prompt(ids=list(encoded["input_ids"]), marker_positions=[first[2 * i] for i in range(len(prompts))])


def plan_label_groups(prompt_lengths: list[int], budget: int) -> list[list[int]]:
    """Split label indices into consecutive groups whose prompt tokens (ENT marker included) fit `budget`.

    `prompt_lengths[i]` counts label i's tokens plus its ENT marker; the SEP marker is outside the budget.
    One label longer than the budget still gets a group of its own.
    """
    groups: list[list[int]] = [[]]
    used = 0
    for i, n in enumerate(prompt_lengths):
        if groups[-1] and used + n > budget:
            groups.append([])
            used = 0
        groups[-1].append(i)
        used += n
    return groups


def plan_windows(token_counts: list[int], max_words: int, max_tokens: int, overlap: int) -> list[tuple[int, int]]:
    """Cover words [0, n) with windows [start, end) of at most `max_words` words and `max_tokens` sub-tokens.

    Consecutive windows share `overlap` words (fewer when a window is shorter than that). Returns [(0, n)]
    when everything fits, and [] for no words.
    """
    n = len(token_counts)
    if n == 0:
        return []
    windows: list[tuple[int, int]] = []
    start = 0
    while True:
        end, used = start, 0
        while end < n and end - start < max_words and (end == start or used + token_counts[end] <= max_tokens):
            used += token_counts[end]
            end += 1
        windows.append((start, end))
        if end >= n:
            return windows
        # Step back by the overlap, but always advance at least one word past the previous start.
        start = max(end - overlap, start + 1)


def window_cores(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The part of each window that owns the spans starting in it: the windows' overlaps split in half.

    Cores partition the words, so each span start belongs to exactly one window, which sees the most
    context on both sides of it.
    """
    cores = []
    for j, (start, end) in enumerate(windows):
        lo = start if j == 0 else (start + windows[j - 1][1] + 1) // 2
        hi = end if j == len(windows) - 1 else (windows[j + 1][0] + end + 1) // 2
        cores.append((lo, hi))
    return cores


@dataclass
class Segment:
    """One encoder row: a window of one text read with one group of its labels."""

    text_index: int
    word_start: int  # first word of the window, in the text's words
    core_start: int  # spans starting in [core_start, core_end) are kept from this row
    core_end: int
    label_indices: list[int]  # indices into the text's label set
    input_ids: list[int]
    word_positions: list[int]  # token index of each word's first sub-token
    label_positions: list[int]  # token index of each label's vector
    shape_ids: list[int] | None = None  # per token (`row_shape_ids`), for models that read word shapes

    @property
    def length(self) -> int:
        """The row's length in tokens."""
        return len(self.input_ids)


def build_row(
    special: SpecialIds, prompt: Prompt, word_pieces: list[list[int]], max_tokens: int, embed_ent_token: bool = True
) -> tuple[list[int], list[int], list[int]]:
    """Assemble one row: (input_ids, word_positions, label_positions).

    Windows are planned to fit `max_tokens`; only a single word longer than that can overflow, and then it
    keeps its first sub-tokens (its vector comes from the first one).
    """
    ids = list(special.prefix) + prompt.ids
    shift = len(special.prefix) + (0 if embed_ent_token else 1)
    label_positions = [p + shift for p in prompt.marker_positions]
    word_positions = []
    for pieces in word_pieces:
        word_positions.append(len(ids))
        ids.extend(pieces)
    limit = max_tokens - len(special.suffix)
    if len(ids) > limit:
        ids = ids[:limit]
    ids.extend(special.suffix)
    return ids, word_positions, label_positions


def collate(segments: list[Segment], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch of rows.

    Returns input_ids and attention_mask (B, T); word_positions (B, W), the token index of each word's
    first sub-token (0 for padding); num_words (B,); label_positions (B, C); num_labels (B,); and
    shape_ids (B, T) when the segments carry word shapes.
    """
    batch = len(segments)
    max_len = max(s.length for s in segments)
    max_words = max(len(s.word_positions) for s in segments)
    max_labels = max(len(s.label_positions) for s in segments)
    input_ids = torch.full((batch, max_len), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((batch, max_len), dtype=torch.long)
    word_positions = torch.zeros((batch, max_words), dtype=torch.long)
    label_positions = torch.zeros((batch, max_labels), dtype=torch.long)
    for b, seg in enumerate(segments):
        input_ids[b, : seg.length] = torch.tensor(seg.input_ids, dtype=torch.long)
        attention_mask[b, : seg.length] = 1
        word_positions[b, : len(seg.word_positions)] = torch.tensor(seg.word_positions, dtype=torch.long)
        label_positions[b, : len(seg.label_positions)] = torch.tensor(seg.label_positions, dtype=torch.long)
    tensors = {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "word_positions": word_positions,
        "num_words": torch.tensor([len(s.word_positions) for s in segments], dtype=torch.long),
        "label_positions": label_positions,
        "num_labels": torch.tensor([len(s.label_positions) for s in segments], dtype=torch.long),
    }
    if segments[0].shape_ids is not None:
        shape_ids = torch.zeros((batch, max_len), dtype=torch.long)
        for b, seg in enumerate(segments):
            shape_ids[b, : seg.length] = torch.tensor(seg.shape_ids, dtype=torch.long)
        tensors["shape_ids"] = shape_ids
    return tensors
