from tests.ui.pages import page_ctx

__all__ = ["page_ctx"]
