"""`doclinks.GLiNER`: zero-shot NER with the API of the `gliner` package, on its checkpoints.

Differences from upstream, all on purpose: no text is ever cut (long texts are read in overlapping
windows, long label sets in groups), batches are sorted by length and bounded by a token budget, the span
head is computed per word, and bad input or a bad checkpoint is a clear error.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from ..boundaries import break_positions
from . import inputs
from .checkpoints import load_checkpoint, load_labels_tokenizer, parse_dtype, resolve_directory, save_checkpoint
from .config import GLiNERConfig
from .decoding import Candidate, find_candidates, find_token_candidates, greedy_decode, within_breaks
from .label_vectors import LabelVectorCache
from .network import GLiNERNetwork
from .validation import check_label_set, check_positive_int, check_text, check_threshold

Entity = dict[str, Any]


@contextmanager
def flushed_denormals(enabled: bool) -> Iterator[None]:
    """Flush subnormal floats (under 1.2e-38) to zero while the block runs, then restore PyTorch's default.

    A BiLSTM's states can sink into subnormal numbers, which x86 CPUs compute 10-100x slower: measured on
    a small token-level checkpoint, the LSTM took 96 of 105 s, and 37x less with flushing. The values
    flushed are below anything a score can show (parity with `gliner` holds to 1e-5).
    """
    if not enabled:
        yield
        return
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


class GLiNER:
    """A GLiNER model ready for inference: span- or token-level, uni- or bi-encoder (`config.architecture`).

    Load with `GLiNER.from_pretrained(folder_or_hub_id)`; predict with `predict_entities(text, labels)`
    or `inference(texts, labels)`. Entities are dicts `{"start", "end", "text", "label", "score"}` with
    character offsets into the original text (end exclusive).
    """

    #: Flush subnormal floats to zero during the forward pass on CPU (`flushed_denormals`); False leaves
    #: PyTorch's flag alone (set it when your process keeps flushing on: doclinks resets it to off after).
    flush_denormals: bool = True

    def __init__(
        self,
        config: GLiNERConfig,
        tokenizer,
        network: GLiNERNetwork,
        *,
        window_overlap: int | None = None,
        labels_tokenizer=None,
    ):
        if config.bi_encoder and labels_tokenizer is None:
            raise ValueError("a bi-encoder model needs its labels_tokenizer")
        self.config = config
        self.tokenizer = tokenizer
        self.labels_tokenizer = labels_tokenizer
        self.network = network.eval()
        # Bi-encoders: each label's vector is computed once and reused by every later call.
        self.label_vectors = LabelVectorCache(labels_tokenizer, self.network) if config.bi_encoder else None
        self.special = inputs.special_ids(tokenizer, config.ent_token)
        backbone = network.token_rep_layer.bert_layer.model.config
        limits = [tokenizer.model_max_length, getattr(backbone, "max_position_embeddings", None)]
        # Rows never exceed the tokenizer's limit nor the encoder's position table.
        self.max_tokens = min(int(x) for x in limits if isinstance(x, int) and x > 0)
        # Windows overlap enough that every span of up to max_width words lies whole inside the window
        # that owns its start, with context on both sides.
        self.window_overlap = window_overlap if window_overlap is not None else max(2 * config.max_width, 32)
        self.source = ""  # the checkpoint folder `from_pretrained` loaded, "" for a model built in memory
        self._prompt_cache: dict[tuple[str, ...], list[tuple[list[int], inputs.Prompt]]] = {}

    # ----------------------------------------------------------------------------------------- loading
    @classmethod
    def from_pretrained(
        cls,
        path_or_hub_id: str | os.PathLike,
        *,
        device: str | torch.device = "cpu",
        dtype: str | torch.dtype | None = None,
        local_files_only: bool = False,
        revision: str | None = None,
        cache_dir: str | os.PathLike | None = None,
        token: str | bool | None = None,
    ) -> GLiNER:
        """Load a checkpoint folder written by `gliner` 0.2.x or by doclinks, or a Hugging Face Hub id.

        `device` defaults to "cpu"; `dtype` (None: as stored, float32) may be "fp16", "bf16" or a torch
        dtype. A hub id is fetched with `huggingface_hub.snapshot_download` unless `local_files_only`.
        """
        directory = resolve_directory(
            path_or_hub_id, local_files_only=local_files_only, revision=revision, cache_dir=cache_dir, token=token
        )
        config, tokenizer, network = load_checkpoint(directory, local_files_only=local_files_only)
        labels_tokenizer = load_labels_tokenizer(config, directory, local_files_only) if config.bi_encoder else None
        torch_dtype = parse_dtype(dtype)
        network.to(device=device, dtype=torch_dtype)
        model = cls(config, tokenizer, network, labels_tokenizer=labels_tokenizer)
        model.source = str(directory)
        return model

    def save_pretrained(self, directory: str | os.PathLike, *, safe_serialization: bool = True) -> Path:
        """Write the checkpoint (`gliner_config.json`, `model.safetensors`, tokenizer) into `directory`."""
        return save_checkpoint(
            directory, self.config, self.tokenizer, self.network,
            safe_serialization=safe_serialization, labels_tokenizer=self.labels_tokenizer,
        )  # fmt: skip

    @property
    def device(self) -> torch.device:
        """The device the network's weights are on."""
        return next(self.network.parameters()).device

    def to(self, device: str | torch.device) -> GLiNER:
        """Move the network to `device` ("cpu", "cuda", ...); returns the model."""
        self.network.to(device)
        if self.label_vectors is not None:
            self.label_vectors.clear()
        return self

    # -------------------------------------------------------------------------------------- prediction
    def predict_entities(
        self, text: str, labels: Any, threshold: float = 0.5, flat_ner: bool = True, multi_label: bool = False
    ) -> list[Entity]:
        """Entities of one text. `labels`: a list of names, or a dict {name: description}; threshold 0.5."""
        if not isinstance(text, str):
            raise TypeError(f"text: expected str, got {type(text).__name__}")
        return self.inference([text], labels, threshold=threshold, flat_ner=flat_ner, multi_label=multi_label)[0]

    def inference(
        self,
        texts: str | Sequence[str],
        labels: Any,
        threshold: float = 0.5,
        flat_ner: bool = True,
        multi_label: bool = False,
        batch_size: int = 8,
        *,
        max_batch_tokens: int = 8192,
        respect_boundaries: bool = False,
    ) -> list[list[Entity]]:
        """Entities of each text, in input order.

        `labels` is shared (a list of names, or a dict {name: description}: the model reads the
        description, the name comes back) or one such set per text. `threshold` (0.5) is the least
        probability kept; `flat_ner` (True) forbids overlapping entities, else they may nest;
        `multi_label` (False) lets one span carry several labels. Rows are sorted by length and batched
        by `batch_size` rows (8) and `max_batch_tokens` padded tokens (8192). `respect_boundaries`
        (False, as `gliner`): drop candidate spans that cross a line break or a sentence end before the
        greedy step, so that the best span inside one sentence wins (`doclinks.boundaries`).
        """
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, Sequence):
            raise TypeError(f"texts: expected a list of str, got {type(texts).__name__}")
        return list(
            self.iter_inference(
                texts, labels, threshold=threshold, flat_ner=flat_ner, multi_label=multi_label,
                batch_size=batch_size, max_batch_tokens=max_batch_tokens, chunk_size=max(len(texts), 1),
                respect_boundaries=respect_boundaries,
            )
        )  # fmt: skip

    def batch_predict_entities(self, texts: Sequence[str], labels: Any, **kwargs: Any) -> list[list[Entity]]:
        """Alias of `inference`, as in `gliner`."""
        return self.inference(texts, labels, **kwargs)

    def iter_inference(
        self,
        texts: Iterable[str],
        labels: Any,
        threshold: float = 0.5,
        flat_ner: bool = True,
        multi_label: bool = False,
        batch_size: int = 8,
        *,
        max_batch_tokens: int = 8192,
        chunk_size: int = 256,
        respect_boundaries: bool = False,
    ) -> Iterator[list[Entity]]:
        """Like `inference`, but streams: reads `chunk_size` texts (256) at a time and yields each text's
        entities in input order, so an unbounded iterable never sits in memory. Per-text labels need a list."""
        threshold = check_threshold(threshold)
        batch_size = check_positive_int(batch_size, "batch_size")
        max_batch_tokens = check_positive_int(max_batch_tokens, "max_batch_tokens")
        chunk_size = check_positive_int(chunk_size, "chunk_size")
        per_text = inputs.is_per_text_labels(labels)
        if per_text:
            label_sets = [check_label_set(x, f"labels[{i}]") for i, x in enumerate(labels)]
        else:
            shared = check_label_set(labels)
        chunk: list[str] = []
        offset = 0

        def flush() -> list[list[Entity]]:
            sets = label_sets[offset : offset + len(chunk)] if per_text else [shared] * len(chunk)
            if per_text and len(sets) != len(chunk):
                raise ValueError(f"labels: {len(label_sets)} label sets for more texts than that")
            return self._predict_chunk(
                chunk, sets, threshold, flat_ner, multi_label, batch_size, max_batch_tokens, respect_boundaries
            )

        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}]: expected str, got {type(text).__name__}")
            check_text(text, f"texts[{i}]")
            chunk.append(text)
            if len(chunk) == chunk_size:
                yield from flush()
                offset += len(chunk)
                chunk = []
        if chunk:
            yield from flush()
            offset += len(chunk)
        if per_text and offset != len(label_sets):
            raise ValueError(f"labels: {len(label_sets)} label sets for {offset} texts")

    # ------------------------------------------------------------------------------------------ internals
    def _prompt_groups(self, prompts: list[str]) -> list[tuple[list[int], inputs.Prompt]]:
        """The label groups of a label set and their tokenized prompts (cached per label set)."""
        key = tuple(prompts)
        cached = self._prompt_cache.get(key)
        if cached is not None:
            return cached
        config = self.config
        whole = inputs.tokenize_prompt(self.tokenizer, prompts, config.ent_token, config.sep_token)
        # Labels may take at most half a row; past that they are read in groups.
        budget = (self.max_tokens - len(self.special.prefix) - len(self.special.suffix)) // 2
        bounds = [*whole.marker_positions, len(whole.ids) - 1]
        for i, prompt in enumerate(prompts):
            if bounds[i + 1] - bounds[i] > budget - 1:
                shown = prompt if len(prompt) <= 60 else prompt[:57] + "..."
                raise ValueError(
                    f"labels: label {shown!r} is {bounds[i + 1] - bounds[i] - 1} sub-tokens long; a label may take at "
                    f"most {budget - 2} (half of the model's {self.max_tokens}-token row): shorten it"
                )
        if len(whole.ids) <= budget:
            groups = [(list(range(len(prompts))), whole)]
        else:
            lengths = [bounds[i + 1] - bounds[i] for i in range(len(prompts))]
            groups = [
                (
                    idx,
                    inputs.tokenize_prompt(
                        self.tokenizer, [prompts[i] for i in idx], config.ent_token, config.sep_token
                    ),
                )
                for idx in inputs.plan_label_groups(lengths, budget - 1)
            ]
        if len(self._prompt_cache) > 1024:
            self._prompt_cache.clear()
        self._prompt_cache[key] = groups
        return groups

    def _predict_chunk(
        self,
        texts: list[str],
        label_sets: list[tuple[list[str], list[str]]],
        threshold: float,
        flat_ner: bool,
        multi_label: bool,
        batch_size: int,
        max_batch_tokens: int,
        respect_boundaries: bool = False,
    ) -> list[list[Entity]]:
        config = self.config
        # The model reads NFC ("José" decomposed is 5 characters and splits into two words otherwise);
        # offsets go back to the caller's text. NFC text (almost all) is read as is, as `gliner` does.
        composed = [None if unicodedata.is_normalized("NFC", t) else inputs.nfc_with_offsets(t) for t in texts]
        model_texts = [t if c is None else c[0] for t, c in zip(texts, composed)]
        split = [inputs.split_words(t) if t.strip() else ([], [], []) for t in model_texts]
        pieces = inputs.tokenize_words(self.tokenizer, [s[0] for s in split], self.tokenizer.unk_token_id or 0)
        label_table = self._label_table(label_sets) if config.bi_encoder else None
        segments: list[inputs.Segment] = []
        for t, word_pieces in enumerate(pieces):
            if not word_pieces:
                continue
            counts = [len(p) for p in word_pieces]
            shapes = [inputs.word_shape(w) for w in split[t][0]] if config.word_shape else None
            if config.bi_encoder:  # the labels are not in the row: one group of all of them, an empty prompt
                groups = [(list(range(len(label_sets[t][0]))), inputs.Prompt(ids=[], marker_positions=[]))]
            else:
                groups = self._prompt_groups(label_sets[t][0])
            for label_indices, prompt in groups:
                room = self.max_tokens - len(self.special.prefix) - len(self.special.suffix) - len(prompt.ids)
                windows = inputs.plan_windows(counts, config.max_len, max(room, 1), self.window_overlap)
                for (start, end), (core_start, core_end) in zip(windows, inputs.window_cores(windows)):
                    ids, word_pos, label_pos = inputs.build_row(
                        self.special, prompt, word_pieces[start:end], self.max_tokens, config.embed_ent_token
                    )
                    shape_ids = None
                    if shapes is not None:
                        text_end = len(ids) - len(self.special.suffix)
                        shape_ids = inputs.row_shape_ids(
                            len(ids), word_pos, word_pieces[start:end], shapes[start:end], text_end
                        )
                    segments.append(
                        inputs.Segment(
                            t, start, core_start, core_end, label_indices, ids, word_pos, label_pos, shape_ids
                        )
                    )
        candidates: list[list[Candidate]] = [[] for _ in texts]
        for batch in self._batches(segments, batch_size, max_batch_tokens):
            self._score_batch(batch, threshold, candidates, label_table)
        results = []
        for t, text in enumerate(texts):
            _, starts, ends = split[t]
            names = label_sets[t][1]
            found = candidates[t]
            if respect_boundaries and found:
                found = within_breaks(found, starts, ends, break_positions(model_texts[t]))
            # Ties in score keep upstream's order: by (start, end, label) for spans, (start, label, end) for tokens.
            found = sorted(found, key=(lambda c: (c.start, c.label, c.end)) if config.token_level else None)
            kept = greedy_decode(found, flat_ner=flat_ner, multi_label=multi_label)
            nfc = composed[t]  # (NFC text, original start, original end of each character) or None
            entities = []
            for c in kept:
                start, end = starts[c.start], ends[c.end]
                if nfc is not None:
                    start, end = nfc[1][start], nfc[2][end - 1]
                entities.append(
                    {"start": start, "end": end, "text": text[start:end], "label": names[c.label], "score": c.score}
                )
            results.append(entities)
        return results

    @staticmethod
    def _batches(
        segments: list[inputs.Segment], batch_size: int, max_batch_tokens: int
    ) -> Iterator[list[inputs.Segment]]:
        """Rows sorted by length, cut into batches of at most `batch_size` rows and `max_batch_tokens` padded tokens."""
        batch: list[inputs.Segment] = []
        for seg in sorted(segments, key=lambda s: s.length):
            longest = max(seg.length, batch[-1].length if batch else 0)
            if batch and (len(batch) >= batch_size or longest * (len(batch) + 1) > max_batch_tokens):
                yield batch
                batch = []
            batch.append(seg)
        if batch:
            yield batch

    def _label_table(self, label_sets: list[tuple[list[str], list[str]]]) -> tuple[torch.Tensor, list[list[int]]]:
        """Bi-encoders: the vectors (U, D) of the distinct labels of a chunk's texts, and for each text the
        rows of its labels in them."""
        distinct = list(dict.fromkeys(prompt for prompts, _ in label_sets for prompt in prompts))
        row = {prompt: i for i, prompt in enumerate(distinct)}
        if self.label_vectors is None:
            raise ValueError("only a bi-encoder model has a label table")
        return self.label_vectors.vectors(distinct), [[row[p] for p in prompts] for prompts, _ in label_sets]

    @torch.inference_mode()
    def _score_batch(
        self,
        batch: list[inputs.Segment],
        threshold: float,
        candidates: list[list[Candidate]],
        label_table: tuple[torch.Tensor, list[list[int]]] | None = None,
    ) -> None:
        device = self.device
        tensors = {k: v.to(device) for k, v in inputs.collate(batch, self.special.pad).items()}
        if label_table is not None:
            vectors, rows_of_text = label_table
            counts = [len(seg.label_indices) for seg in batch]
            index = torch.zeros(len(batch), max(counts), dtype=torch.long)
            for b, seg in enumerate(batch):
                index[b, : counts[b]] = torch.tensor(rows_of_text[seg.text_index], dtype=torch.long)
            tensors["num_labels"] = torch.tensor(counts, device=device)
            present = torch.arange(index.size(1))[None, :] < torch.tensor(counts)[:, None]
            tensors["label_vectors"] = vectors[index.to(device)] * present.unsqueeze(-1).to(device, vectors.dtype)
        with flushed_denormals(self.flush_denormals and device.type == "cpu"):
            logits = self.network(**tensors)
        core_start = torch.tensor([s.core_start - s.word_start for s in batch], device=device)
        core_end = torch.tensor([s.core_end - s.word_start for s in batch], device=device)
        token_level = self.config.token_level
        find = find_token_candidates if token_level else find_candidates
        rows = find(logits, threshold, tensors["num_words"], tensors["num_labels"], core_start, core_end)
        for seg, found in zip(batch, rows):
            for start, extent, column, score in found:
                first = seg.word_start + start
                # Span-level rows give a width index, token-level rows the last word.
                last = seg.word_start + extent if token_level else first + extent
                candidates[seg.text_index].append(Candidate(first, last, seg.label_indices[column], score))
