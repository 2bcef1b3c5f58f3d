from .modules import module_links


def nav(request):
    return {"module_links": module_links()}
