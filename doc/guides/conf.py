# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 vftoken authors
"""Sphinx configuration for the vftoken guides."""
import os

project = 'vftoken'
author = 'vftoken authors'
copyright = '2026, vftoken authors'
with open(os.path.join(os.path.dirname(__file__), '..', '..', 'VERSION'),
          encoding='utf-8') as f:
    version = release = f.read().strip()

master_doc = 'index'
exclude_patterns = ['_build']
highlight_language = 'none'
try:
    import sphinx_rtd_theme  # noqa: F401
    html_theme = 'sphinx_rtd_theme'
except ImportError:
    html_theme = 'alabaster'
