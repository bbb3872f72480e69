"""Where the GSM8K items come from: the test split of openai/gsm8k ("main" configuration), pinned."""

from __future__ import annotations

from lmms_compgap.core.hub_data import HubDataset

SOURCE = HubDataset(
    repo="openai/gsm8k",
    revision="cc7b047b6e5bb11b4f1af84efc572db110a51b3c",
    split="test",
    config="main",
    data_files="main/test-*.parquet",
    rows=1319,
    columns={"question": "string", "answer": "string"},
    licence="MIT (the dataset card of openai/gsm8k)",
    citation="""@article{cobbe2021gsm8k,
  title={Training Verifiers to Solve Math Word Problems},
  author={Cobbe, Karl and Kosaraju, Vineet and Bavarian, Mohammad and Chen, Mark and Jun, Heewoo and Kaiser, Lukasz
          and Plappert, Matthias and Tworek, Jerry and Hilton, Jacob and Nakano, Reiichiro and Hesse, Christopher
          and Schulman, John},
  journal={arXiv preprint arXiv:2110.14168},
  year={2021}
}""",
)
