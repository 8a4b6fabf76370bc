"""免申即享 batch matching: the same rules over every enterprise of a registry export."""
