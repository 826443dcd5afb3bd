"""The living review: published versions, What's new, and the update digest."""
