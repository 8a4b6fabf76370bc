"""Department exports -> Profiles with provenance: readers, mapping files, merging by credit code.

Used by the batch (``huiqi batch --sources``) and the console's registry import. Knows Profiles,
not rules: nothing here imports the rule engine.
"""
