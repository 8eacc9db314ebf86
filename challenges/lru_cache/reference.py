from collections import OrderedDict


class LRUCache:
    """Least-recently-used cache holding at most `capacity` (>= 1) entries.

    The OrderedDict keeps keys from least to most recently used, so every
    operation is O(1) on average.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data = OrderedDict()

    def get(self, key):
        if key not in self._data:
            return -1
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key, value) -> None:
        if key in self._data:
            self._data.move_to_end(key)
        elif len(self._data) >= self.capacity:
            self._data.popitem(last=False)
        self._data[key] = value
