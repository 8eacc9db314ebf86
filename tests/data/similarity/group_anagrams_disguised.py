def group_anagrams(items):
    # build groups with a helper object
    collector = Bucketer()
    for s in items: collector.put(s)
    return collector.result()


class Bucketer:
    """Keeps words bucketed by their sorted letters."""

    def result(self):
        return [
            list(bucket)
            for bucket in self._buckets.values()
        ]

    def put(self, s):
        # chainable
        self._buckets.setdefault(
            self.signature(s), []
        ).append(s)
        return self

    @staticmethod
    def signature(s):
        return ''.join(sorted(s.lower()))

    def __init__(self):
        self._buckets = {}
