import functools
import time


def memoize(ttl: float | None = None):
    """Decorator factory: cache results per positional-argument tuple for `ttl` seconds."""

    def decorator(func):
        cache = {}

        @functools.wraps(func)
        def wrapper(*args):
            now = time.time()
            if args in cache:
                result, stamp = cache[args]
                if ttl is None or now - stamp < ttl:
                    return result
            result = func(*args)
            cache[args] = (result, now)
            return result

        return wrapper

    return decorator
