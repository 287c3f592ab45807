"""Reading and writing GLiNER checkpoint folders in the `gliner` 0.2.x layout.

A folder holds `gliner_config.json`, weights in `model.safetensors` or `pytorch_model.bin`, and the
tokenizer files; a bi-encoder's folder also holds its labels tokenizer in `labels_tokenizer/` (else it
comes from `labels_encoder`, a hub id or folder, as upstream resolves it). The labels encoder's weights are
in the weights file, its architecture in `labels_encoder_config` (else read from `labels_encoder`). Older checkpoints (urchade v1/v2) carry no tokenizer and no `encoder_config`: both come
from `model_name`, and the special tokens are added and the embeddings resized as upstream does.
Unlike upstream, missing or unexpected weights are an error that lists them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from .config import CONFIG_FILE, CheckpointError, GLiNERConfig
from .decoders import build_encoder, decoder_kind, make_bidirectional, saved_config
from .network import GLiNERNetwork

if TYPE_CHECKING:
    from transformers import PreTrainedModel

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
LABELS_TOKENIZER_DIR = "labels_tokenizer"  # where upstream saves a bi-encoder's labels tokenizer
DTYPES = {
    "fp32": torch.float32, "float32": torch.float32,
    "fp16": torch.float16, "float16": torch.float16, "half": torch.float16,
    "bf16": torch.bfloat16, "bfloat16": torch.bfloat16,
}  # fmt: skip
# Buffers that old transformers versions saved and newer ones rebuild; ignored when found in a checkpoint.
DERIVABLE_BUFFERS = ("position_ids",)


def parse_dtype(dtype: str | torch.dtype | None) -> torch.dtype | None:
    """`None`, a floating torch dtype, or one of fp32/fp16/bf16 (and their long names)."""
    if dtype is None:
        return None
    if isinstance(dtype, torch.dtype):
        if not dtype.is_floating_point:
            raise ValueError(f"dtype must be a floating-point dtype, got {dtype}")
        return dtype
    if isinstance(dtype, str) and dtype.lower() in DTYPES:
        return DTYPES[dtype.lower()]
    raise ValueError(f"dtype: unknown value {dtype!r}; expected a torch dtype or one of {sorted(DTYPES)}")


def resolve_directory(
    path_or_hub_id: str | os.PathLike,
    *,
    local_files_only: bool = False,
    revision: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    token: str | bool | None = None,
) -> Path:
    """A local checkpoint folder, or the snapshot of a Hugging Face Hub repository (downloaded if needed)."""
    if not isinstance(path_or_hub_id, (str, os.PathLike)):
        raise TypeError(f"path_or_hub_id: expected a folder path or a hub id, got {type(path_or_hub_id).__name__}")
    local = Path(path_or_hub_id).expanduser()
    if local.is_dir():
        return local
    name = str(path_or_hub_id)
    looks_like_path = (
        local.is_absolute() or name.startswith((".", "~")) or name.count("/") > 1 or (os.sep == "\\" and "\\" in name)
    )
    if looks_like_path:
        raise FileNotFoundError(f"No checkpoint folder at {local}")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    try:
        return Path(
            snapshot_download(
                repo_id=name,
                revision=revision,
                cache_dir=None if cache_dir is None else Path(cache_dir),
                token=token,
                local_files_only=local_files_only,
            )
        )
    except HFValidationError as exc:
        raise FileNotFoundError(f"{name!r} is neither a checkpoint folder nor a valid hub id ({exc})") from exc
    except Exception as exc:  # offline, unknown repo, network down: one actionable message
        raise FileNotFoundError(
            f"Model {name!r} is not a local folder and could not be fetched from the Hugging Face Hub "
            f"({type(exc).__name__}: {exc}). On a machine with internet run "
            f"`huggingface-cli download {name} --local-dir {Path(name).name}`, copy that folder here, "
            f"and pass its path instead of the hub id."
        ) from exc


def _tokenizer_from(folder: Path, fallback: str | None, what: str, why: str, local_files_only: bool):
    """The tokenizer saved in `folder`, else the one of the hub id or folder `fallback`; `what` and `why`
    name it and its fallback setting in the error."""
    from transformers import AutoTokenizer

    source = folder if (folder / "tokenizer_config.json").is_file() else fallback
    if source is None:
        raise CheckpointError(
            f"Cannot load the {what}: {folder} holds no tokenizer files and no fallback is set; {why}"
        )
    try:
        return AutoTokenizer.from_pretrained(source, local_files_only=local_files_only)
    except Exception as exc:
        raise CheckpointError(f"Cannot load the {what} from {source} ({type(exc).__name__}: {exc}); {why}") from exc


def load_tokenizer(config: GLiNERConfig, directory: Path, local_files_only: bool = False):
    """The checkpoint's own tokenizer, else the one of `config.model_name` (older checkpoints)."""
    why = "a checkpoint without tokenizer files needs model_name to be a local folder or a reachable hub id"
    return _tokenizer_from(directory, config.model_name, "tokenizer", why, local_files_only)


def load_labels_tokenizer(config: GLiNERConfig, directory: Path, local_files_only: bool = False):
    """A bi-encoder's labels tokenizer: the checkpoint's `labels_tokenizer/` folder, else `labels_encoder`'s."""
    why = (
        f"a bi-encoder checkpoint without a {LABELS_TOKENIZER_DIR}/ folder needs labels_encoder to be a local folder "
        "or a reachable hub id"
    )
    return _tokenizer_from(
        directory / LABELS_TOKENIZER_DIR, config.labels_encoder, "labels tokenizer", why, local_files_only
    )


def _encoder_config(values: dict | None, source: str | None, key: str, source_key: str, local_files_only: bool):
    """A transformers config from a stored dict (`key`), else from the hub id or folder `source`."""
    from transformers import AutoConfig

    if values is not None:
        values = dict(values)
        model_type = values.pop("model_type", "deberta-v2")  # upstream's default for a typeless dict
        try:
            return AutoConfig.for_model(model_type, **values)
        except (ValueError, KeyError) as exc:
            raise CheckpointError(f"{CONFIG_FILE}: {key} has an unknown model_type {model_type!r}") from exc
    if source is None:
        raise CheckpointError(f"{CONFIG_FILE} has no {key} and no {source_key}: the encoder config cannot be loaded")
    try:
        return AutoConfig.from_pretrained(source, local_files_only=local_files_only)
    except Exception as exc:
        raise CheckpointError(
            f"{CONFIG_FILE} has no {key} and the encoder config of {source_key}={source!r} "
            f"cannot be loaded ({type(exc).__name__}: {exc})"
        ) from exc


def build_backbone(config: GLiNERConfig, local_files_only: bool = False) -> PreTrainedModel:
    """An untrained transformers encoder of the checkpoint's architecture (weights come from the checkpoint);
    a Llama decoder is made bidirectional, as `gliner` makes it through `llm2vec` (`decoders`)."""
    encoder_config = _encoder_config(
        config.encoder_config, config.model_name, "encoder_config", "model_name", local_files_only
    )
    if config.encoder_config is None and config.vocab_size != -1:
        encoder_config.vocab_size = config.vocab_size
    return build_encoder(encoder_config, "encoder_config")


def build_labels_backbone(config: GLiNERConfig, local_files_only: bool = False) -> PreTrainedModel | None:
    """A bi-encoder's untrained labels encoder (weights come from the checkpoint); None for uni-encoders."""
    if not config.bi_encoder:
        return None
    labels_config = _encoder_config(
        config.labels_encoder_config, config.labels_encoder, "labels_encoder_config", "labels_encoder", local_files_only
    )
    return build_encoder(labels_config, "labels_encoder_config")


def add_special_tokens(config: GLiNERConfig, tokenizer, network: GLiNERNetwork) -> None:
    """Add [FLERT], <<ENT>>, <<SEP>> and resize the embeddings, when the config says they are not there yet.

    Otherwise check that the tokenizer holds the markers at the ids the config names. Bi-encoders put no
    label in the text's row: they get no markers (as upstream).
    """
    if config.bi_encoder:
        return
    backbone = network.token_rep_layer.bert_layer.model
    if config.class_token_index == -1 or config.vocab_size == -1:
        tokenizer.add_tokens(config.special_tokens, special_tokens=True)
        size = len(tokenizer)
        backbone.resize_token_embeddings(size)
        config.class_token_index = size - 2  # upstream: the ENT marker is the second-to-last token
        config.vocab_size = size
        if config.encoder_config is not None:
            config.encoder_config["vocab_size"] = size
        return
    source = "the tokenizer files"
    unk = tokenizer.unk_token_id
    for token in (config.ent_token, config.sep_token):
        token_id = tokenizer.convert_tokens_to_ids(token)
        if token_id is None or (token_id == unk and token != tokenizer.unk_token):
            raise CheckpointError(f"{source} lack the special token {token!r} that {CONFIG_FILE} relies on")
    ent_id = tokenizer.convert_tokens_to_ids(config.ent_token)
    if ent_id != config.class_token_index:
        raise CheckpointError(
            f"{CONFIG_FILE}: class_token_index={config.class_token_index} but the tokenizer gives "
            f"{config.ent_token!r} the id {ent_id}"
        )


def find_weights(directory: Path) -> Path:
    """`model.safetensors`, else `pytorch_model.bin`."""
    for name in WEIGHT_FILES:
        if (directory / name).is_file():
            return directory / name
    raise CheckpointError(f"No weights in {directory}: expected one of {', '.join(WEIGHT_FILES)}")


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Read a weights file; a corrupt or truncated one is a `CheckpointError` naming it."""
    try:
        if path.suffix == ".safetensors":
            state: dict[str, torch.Tensor] = {}
            with safe_open(str(path), framework="pt", device="cpu") as handle:
                metadata = handle.metadata() or {}
                for key in handle.keys():  # noqa: SIM118 - safe_open has no items()
                    state[key] = handle.get_tensor(key)
            for alias, saved in metadata.items():  # tied tensors saved once (upstream's safetensors writer)
                if alias not in state and saved in state:
                    state[alias] = state[saved]
            return state
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"{path}: corrupt or truncated weights file ({type(exc).__name__}: {exc})") from exc
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path}: expected a mapping of parameter names to tensors")
    return state


def load_weights(network: GLiNERNetwork, state: dict[str, torch.Tensor], path: Path) -> None:
    """Load `state` strictly: any missing, unexpected or mis-shaped weight is an error that lists them."""
    state = {k: v for k, v in state.items() if not k.endswith(DERIVABLE_BUFFERS)}
    expected = network.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    shapes = [
        f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    problems = []
    if missing:
        problems.append(f"missing weights: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected weights: {', '.join(unexpected)}")
    if shapes:
        problems.append(f"shape mismatches: {'; '.join(shapes)}")
    if problems:
        raise CheckpointError(f"{path} does not match its {CONFIG_FILE}: " + " | ".join(problems))
    # NaN or infinite weights load and then find nothing, silently: refuse them, naming the tensors.
    broken = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if broken:
        shown = ", ".join(broken[:5]) + (f" and {len(broken) - 5} more" if len(broken) > 5 else "")
        raise CheckpointError(f"{path}: non-finite (NaN or infinite) values in {len(broken)} weights: {shown}")
    network.load_state_dict(state, strict=True)


def load_checkpoint(directory: Path, *, local_files_only: bool = False):
    """(config, tokenizer, network) of a checkpoint folder; the network is on CPU in float32, in eval mode.

    A bi-encoder's labels tokenizer is loaded apart (`load_labels_tokenizer`)."""
    config_path = directory / CONFIG_FILE
    if not config_path.is_file():
        raise CheckpointError(f"No {CONFIG_FILE} in {directory}: not a GLiNER checkpoint folder")
    config = GLiNERConfig.from_file(config_path)
    weights_path = find_weights(directory)
    tokenizer = load_tokenizer(config, directory, local_files_only)
    network = GLiNERNetwork(
        config, build_backbone(config, local_files_only), build_labels_backbone(config, local_files_only)
    )
    add_special_tokens(config, tokenizer, network)
    load_weights(network, read_state_dict(weights_path), weights_path)
    network.eval()
    return config, tokenizer, network


def save_checkpoint(
    directory: str | os.PathLike,
    config: GLiNERConfig,
    tokenizer,
    network: GLiNERNetwork,
    *,
    safe_serialization: bool = True,
    labels_tokenizer=None,
) -> Path:
    """Write config, weights and tokenizer into `directory` (created if needed); loadable by `gliner` too
    (unless the model reads word shapes: `gliner` refuses those, see `config.WORD_SHAPE_SPAN_MODE`).
    A bi-encoder needs its `labels_tokenizer`, written to `labels_tokenizer/` as upstream does."""
    if config.bi_encoder and labels_tokenizer is None:
        raise ValueError("a bi-encoder checkpoint needs its labels_tokenizer to be saved")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    backbone = network.token_rep_layer.bert_layer.model
    config.encoder_config = saved_config(backbone)
    if config.bi_encoder:
        config.labels_encoder_config = saved_config(network.token_rep_layer.labels_encoder.model)
    else:  # upstream's bi-encoders keep vocab_size -1 (no markers added)
        config.vocab_size = backbone.config.vocab_size
    state = {k: v.detach().to("cpu").contiguous().clone() for k, v in network.state_dict().items()}
    if safe_serialization:
        save_file(state, str(directory / "model.safetensors"), metadata={"format": "pt"})
        stale = directory / "pytorch_model.bin"
    else:
        torch.save(state, directory / "pytorch_model.bin")
        stale = directory / "model.safetensors"
    if stale.exists():  # never leave two weight files that disagree
        stale.unlink()
    config.save(directory)
    tokenizer.save_pretrained(str(directory))
    if labels_tokenizer is not None:
        labels_tokenizer.save_pretrained(str(directory / LABELS_TOKENIZER_DIR))
    return directory


# ------------------------------------------------------------------------------ new models and export
def create_model(
    encoder: str | os.PathLike,
    *,
    hidden_size: int = 384,
    max_width: int = 12,
    num_rnn_layers: int = 1,
    dropout: float = 0.4,
    max_types: int = 25,
    max_len: int = 384,
    model_name: str | None = None,
    embed_ent_token: bool = True,
    word_shape: bool = False,
    seed: int | None = None,
):
    """(config, tokenizer, network) of a fresh, untrained GLiNER on the pretrained encoder in `encoder`.

    The span and label heads are newly initialised (seeded by `seed`), the special tokens are added and
    the embeddings resized as `gliner` does. `model_name` (default: the folder) is recorded in the
    config; the encoder's config is stored too, so the saved checkpoint never needs `model_name`.
    `embed_ent_token=False` reads each label's vector off its first token instead of its `<<ENT>>` marker;
    `word_shape=True` adds the word-shape input feature (`network.TokenEncoder`), off by default.
    """
    from transformers import AutoModel, AutoTokenizer

    folder = Path(encoder).expanduser()
    if not (folder / "config.json").is_file():
        raise CheckpointError(f"No encoder at {folder}: expected a transformers model folder with config.json")
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    backbone = AutoModel.from_pretrained(str(folder))
    if decoder_kind(backbone.config.model_type) == "bidirectional":
        make_bidirectional(backbone)
    config = GLiNERConfig(
        model_name=model_name or str(folder), hidden_size=hidden_size, max_width=max_width,
        num_rnn_layers=num_rnn_layers, dropout=dropout, max_types=max_types, max_len=max_len,
        embed_ent_token=embed_ent_token, word_shape=word_shape,
    )  # fmt: skip
    config.validate()
    if seed is not None:
        torch.manual_seed(seed)
    network = GLiNERNetwork(config, backbone)
    add_special_tokens(config, tokenizer, network)
    config.encoder_config = saved_config(backbone)
    network.train()
    return config, tokenizer, network
