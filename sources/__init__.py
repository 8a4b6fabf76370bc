"""Department exports -> Profiles with provenance: readers, mapping files, merging by credit code.

Used by the batch (``huiqi batch --sources``) and the console's registry import. Knows Profiles,
not rules: nothing here imports the rule engine.

The interface for any reader of department data (the batch, the registry import, a columnar engine)::

    from sources.mapping import load_sources
    from sources.merge import Merger

    merger = Merger(load_sources(Path("sources.yaml")), workdir)   # reads every source once
    for merged in merger.records():     # credit-code order, deterministic
        merged.data      # contract JSON of one enterprise (None: rows of no registry enterprise)
        merged.facts     # fact path -> (source index, row); merger.infos[i] describes source i
        merged.rejects   # cells that make the enterprise unusable (source, row, field, reason)
        merged.notices   # disagreements, rows not in the registry, unused bad cells
    merger.close()

``sources.provenance.Provenance`` turns ``facts`` into cell locations, 数据来源 text and JSON.
"""
