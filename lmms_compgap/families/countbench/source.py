"""Where the CountBenchQA items come from: vikhyatk/CountBenchQA (491 photos of CountBench), pinned."""

from __future__ import annotations

from lmms_compgap.core.hub_data import HubDataset

SOURCE = HubDataset(
    repo="vikhyatk/CountBenchQA",
    revision="76d600309e9d6147bd3713b4cd431518ac1206c8",
    split="test",
    data_files="data/test-*.parquet",
    rows=491,
    columns={"image": "image", "text": "string", "question": "string", "number": "int"},
    licence=(
        "none stated: the dataset card of vikhyatk/CountBenchQA gives no licence; its photos come from LAION-400M "
        "(web images, each under its owner's rights)"
    ),
    citation="""@article{beyer2024paligemma,
  title={PaliGemma: A versatile 3B VLM for transfer},
  author={Beyer, Lucas and Steiner, Andreas and Pinto, Andr{\\'e} Susano and others},
  journal={arXiv preprint arXiv:2407.07726},
  year={2024}
}
@inproceedings{paiss2023teaching,
  title={Teaching CLIP to Count to Ten},
  author={Paiss, Roni and Ephrat, Ariel and Tov, Omer and Zada, Shiran and Mosseri, Inbar and Irani, Michal
          and Dekel, Tali},
  booktitle={ICCV},
  year={2023}
}""",
)
