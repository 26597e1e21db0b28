"""Pure validation rules: no Pulumi, no config. Each returns what is expected (a problem) or None.

Config validation calls them and names the stack key; component Args call them and name the
argument. One module per architecture, plus ``formats`` for values several architectures share.
"""
