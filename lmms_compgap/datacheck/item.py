"""`ItemCheck` under its first module name, for families written from an earlier skeleton (it lives in
`lmms_compgap.core.item_check`, beside the family declaration that names it)."""

from lmms_compgap.core.item_check import ItemCheck

__all__ = ["ItemCheck"]
