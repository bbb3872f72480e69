"""Prove the generated data right with tools nobody in this project wrote (Tesseract OCR, OpenCV)."""
