"""Training and evaluating GLiNER models (not needed for inference; see docs/training.md).

Data: `examples` (Example, EvalExample, crops, joins), `readers` (the file formats), `labels` (label
names, paraphrases, related names), `pool` (the training sets, their licences, the pool's labels),
`sampling` (each example's label set; the examples of each step). Training: `config` (TrainConfig),
`batches`, `loss`, `optim` (parameter groups, frozen layers, schedule), `trainer` (Trainer,
build_trainer), `run` (a run folder's files). Tools: `evaluate` (the zero-shot protocol), `silver`
(silver training data), `ship` (a run as the shipped default model).
"""
