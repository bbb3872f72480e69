"""CountBenchQA: real photos with 2 to 10 objects of a kind (vikhyatk/CountBenchQA); list every object the question
asks about, then count the list.

Modules: `source` (the dataset, pinned), `prompts`, `family` (items, listing scorer); the task card is README.md.
"""

from lmms_compgap.families.countbench.family import CountBench

FAMILY = CountBench()
