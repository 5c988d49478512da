"""Life after listing: the release watcher, the update diff's auto-merge policy, re-audits and the queue."""
