"""Where the MATH-500 items come from: HuggingFaceH4/MATH-500 (500 problems of MATH's test split), pinned."""

from __future__ import annotations

from lmms_compgap.core.hub_data import HubDataset

SOURCE = HubDataset(
    repo="HuggingFaceH4/MATH-500",
    revision="6e4ed1a2a79af7d8630a6b768ec859cb5af4d3be",
    split="test",
    data_files="test.jsonl",
    rows=500,
    columns={"problem": "string", "answer": "string", "subject": "string", "level": "int", "unique_id": "string"},
    licence="MIT (MATH, by Hendrycks et al.; the 500-problem subset is from Lightman et al.)",
    citation="""@article{hendrycksmath2021,
  title={Measuring Mathematical Problem Solving With the MATH Dataset},
  author={Dan Hendrycks and Collin Burns and Saurav Kadavath and Akul Arora and Steven Basart and Eric Tang
          and Dawn Song and Jacob Steinhardt},
  journal={NeurIPS},
  year={2021}
}
@article{lightman2023lets,
  title={Let's Verify Step by Step},
  author={Lightman, Hunter and Kosaraju, Vineet and Burda, Yura and Edwards, Harri and Baker, Bowen and Lee, Teddy
          and Leike, Jan and Schulman, John and Sutskever, Ilya and Cobbe, Karl},
  journal={arXiv preprint arXiv:2305.20050},
  year={2023}
}""",
)
