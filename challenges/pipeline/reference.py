def pipeline(*funcs):
    """Return a function applying `funcs` left to right: pipeline(f, g)(x) == g(f(x)).

    The steps are folded over the value in a loop (no nested closures), so the
    depth of the call stack does not grow with the number of steps.
    """
    steps = tuple(funcs)

    def run(value):
        for step in steps:
            value = step(value)
        return value

    return run
