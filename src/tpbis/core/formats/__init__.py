"""Date formats as this programme writes them ("6 Des 2026"), overriding Django's locale defaults.

Django's Indonesian default is "6 Des. 2026" with an AP-style dot, while pages, PDFs and messages
already write "6 Des 2026"; one format everywhere (FORMAT_MODULE_PATH points here).
"""
