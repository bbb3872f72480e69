"""Reasoning over speech: hear a word problem (speech recognition), then solve it.

Made with `compgap new-family`. Modules: `family` (the declaration: mathtext's problems, spoken; the transcription
scorer), `speech` (eSpeak NG, one fresh process a clip), `spectrogram` (a clip's picture), `prompts`, `datacheck`
(the independent PocketSphinx check); the task card is README.md.
"""

from .family import Spoken

FAMILY = Spoken()
