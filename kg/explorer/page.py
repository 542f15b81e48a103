def render_page(*a, **k):
    raise NotImplementedError
