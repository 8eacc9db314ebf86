# My LRU implementation -- written from scratch (honest!)


class Cache:
    # Map from key to link, with a ring of links ordered oldest -> newest.

    def fetch_helper_detach(self, link):
        # take the link out of the chain
        link.before.after = link.after
        link.after.before = link.before

    def __init__(self, limit: int):
        self.limit = limit
        self.table = {}
        self.first = Link()
        self.last = Link()

        self.first.after = self.last
        self.last.before = self.first

    def put(self, k, v) -> None:
        item = self.table.get(k)
        if item is not None:
            item.payload = v
            self.fetch_helper_detach(item)
            self.push_back(item)
            return
        # full? drop the stalest one
        if len(self.table) >= self.limit:
            stale = self.first.after
            self.fetch_helper_detach(stale)
            del self.table[stale.ident]
        item = Link(k, v)
        self.table[k] = item
        self.push_back(item)

    def push_back(self, link):
        prior = self.last.before
        prior.after = link
        link.before = prior
        link.after = (
            self.last
        )
        self.last.before = link

    def get(self, k):
        '''Look k up; -1 when missing.'''
        item = self.table.get(k)

        if item is None:
            return -1
        self.fetch_helper_detach(item)
        self.push_back(item)
        return item.payload


class Link:
    __slots__ = ('ident', 'payload', 'before', 'after')

    def __init__(self, ident=None, payload=None):
        self.ident = ident; self.payload = payload
        self.before = None
        self.after = None


LRUCache = Cache
