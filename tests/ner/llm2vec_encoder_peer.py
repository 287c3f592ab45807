"""Run `llm2vec`'s bidirectional encoder on token rows: the peer of `doclinks.ner.decoders`, in its own venv.

`llm2vec` 0.2.3 needs transformers <= 4.44.2 and cannot be installed beside `gliner` 0.2.29 (>= 4.51.3), so
this script runs in a venv of its own (stdlib, torch and safetensors only besides `llm2vec`):

    python -m venv --system-site-packages /work/venv-llm2vec
    /work/venv-llm2vec/bin/pip install transformers==4.44.2 peft==0.12.0 "accelerate<1.0"
    /work/venv-llm2vec/bin/pip install --no-deps llm2vec==0.2.3
    /work/venv-llm2vec/bin/python tests/ner/llm2vec_encoder_peer.py FOLDER

FOLDER holds `encoder_config.json` (the encoder config of a GLiNER checkpoint), `encoder.safetensors` (its
weights) and `rows.safetensors` (`input_ids`, `attention_mask`); the script writes `peer.safetensors`
(`hidden`, per attention implementation: `hidden_eager`, `hidden_sdpa`) and `peer_versions.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(folder: Path) -> None:
    import llm2vec
    import torch
    import transformers
    from llm2vec.models import LlamaBiModel, Qwen2BiModel
    from safetensors.torch import load_file, save_file
    from transformers import LlamaConfig, Qwen2Config

    values = json.loads((folder / "encoder_config.json").read_text())
    rope = values.pop("rope_parameters", None) or {}
    if "rope_theta" in rope:  # transformers 5 nests it; 4.44 reads it at the top level
        values["rope_theta"] = rope["rope_theta"]
    kind = values.pop("model_type")
    config_class, model_class = {"llama": (LlamaConfig, LlamaBiModel), "qwen2": (Qwen2Config, Qwen2BiModel)}[kind]
    weights = load_file(str(folder / "encoder.safetensors"))
    rows = load_file(str(folder / "rows.safetensors"))
    out = {}
    for implementation in ("eager", "sdpa"):
        config = config_class(**values, attn_implementation=implementation)
        model = model_class(config).eval()
        model.load_state_dict(weights, strict=True)
        with torch.no_grad():
            hidden = model(input_ids=rows["input_ids"], attention_mask=rows["attention_mask"])[0]
        out[f"hidden_{implementation}"] = hidden.contiguous()
    save_file(out, str(folder / "peer.safetensors"))
    versions = {"llm2vec": llm2vec.__version__ if hasattr(llm2vec, "__version__") else _version("llm2vec"),
                "transformers": transformers.__version__, "torch": torch.__version__, "model_class": model_class.__name__}  # fmt: skip
    (folder / "peer_versions.json").write_text(json.dumps(versions))


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
