"""Prove the generated data right with tools nobody in this project wrote (Tesseract OCR, OpenCV): the shared
machinery (the Tesseract runner, an item's verdict, the parallel runner, `compgap data check`); each family's own
check is its `datacheck.py`."""
