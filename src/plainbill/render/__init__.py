"""Rendering: the one Jinja environment, Babel formatting, HTML and PDF (WeasyPrint).

`output.write_build` drives it; a `Renderer` is built once per worker process.
Nothing in this package computes an amount: the engine did.
"""
from .context import client_context, context_key, invoice_view
from .environment import TemplateSet, make_environment, template_set
from .renderer import RenderFailure, Renderer, check_templates

__all__ = ["Renderer", "RenderFailure", "check_templates", "TemplateSet", "template_set", "make_environment",
           "client_context", "context_key", "invoice_view"]
