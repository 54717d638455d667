# The reference for brine's renderer: the real Jinja2 configured like Salt (StrictUndefined, do +
# loopcontrols, trailing newline kept, the render context also global) with Salt's serializer
# filters and the salt[] functions brine supports emulated below, and PyYAML's safe loader.
# stdin JSON: {dir, context, templates: [text], files: [{file, ctx}], yaml: [text]}
import json
import shlex
import sys

import jinja2
import yaml

data = json.load(sys.stdin)
context = data["context"]
MISSING = object()


def traverse(d, key, delimiter=":"):
    v = d
    for part in str(key).split(delimiter):
        if isinstance(v, list):
            try:
                v = v[int(part)]
                continue
            except (ValueError, IndexError):
                return MISSING
        if isinstance(v, dict) and part in v:
            v = v[part]
        else:
            return MISSING
    return v


def getter(source):
    def get(key, default="", merge=False, delimiter=":", **_):
        v = traverse(source, key, delimiter)
        return default if v is MISSING else v

    return get


def filter_by(lookup_dict, grain="os_family", merge=None, default="default", base=None):
    g = traverse(context.get("grains", {}), grain)
    return lookup_dict.get(g, lookup_dict.get(default)) if not isinstance(g, list) else None


salt = {
    "pillar.get": getter(context.get("pillar", {})),
    "grains.get": getter(context.get("grains", {})),
    "grains.filter_by": filter_by,
}


def salt_yaml(value, flow_style=True):
    out = yaml.safe_dump(value, default_flow_style=flow_style, allow_unicode=True).strip()
    return out[:-4] if out.endswith("\n...") else out


def yaml_dquote(text):
    # Salt's salt.utils.jinja.yaml_dquote
    import io
    with io.StringIO() as ostream:
        yemitter = yaml.emitter.Emitter(ostream, width=sys.maxsize)
        yemitter.write_double_quoted(str(text))
        return ostream.getvalue()


def yaml_encode(data):
    # Salt's salt.utils.jinja.yaml_encode
    ynode = yaml.representer.SafeRepresenter().represent_data(data)
    if not isinstance(ynode, yaml.ScalarNode):
        raise TypeError("yaml_encode() only works with YAML scalar data")
    return yaml_dquote(ynode.value) if ynode.tag.rsplit(":", 1)[-1] == "str" else ynode.value


def salt_traverse(data, key, default=None, delimiter=":"):
    v = traverse(data, key, delimiter)
    return default if v is MISSING else v


def environment(extra):
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(data["dir"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        keep_trailing_newline=True,
    )
    env.filters["yaml"] = salt_yaml
    env.filters["json"] = lambda v, sort_keys=True, indent=None: json.dumps(v, sort_keys=sort_keys, indent=indent)
    env.filters["load_yaml"] = lambda v: yaml.safe_load(v)
    env.filters["load_json"] = lambda v: json.loads(v)
    env.filters["yaml_encode"] = yaml_encode
    env.filters["yaml_dquote"] = yaml_dquote
    env.filters["quote"] = shlex.quote  # Salt's quote filter
    env.filters["traverse"] = salt_traverse
    ctx = dict(context, salt=salt, saltenv="base", **extra)
    env.globals.update(ctx)
    return env, ctx


def render(make):
    try:
        return {"ok": make()}
    except Exception as e:  # noqa: BLE001 - any failure is an expected error case
        return {"err": type(e).__name__ + ": " + str(e)}


env, ctx = environment({})
templates = [render(lambda: env.from_string(t).render(**ctx)) for t in data.get("templates", [])]
files = []
for f in data.get("files", []):
    fenv, fctx = environment(f["ctx"])
    files.append(render(lambda: fenv.get_template(f["file"]).render(**fctx)))
docs = []
for y in data.get("yaml", []):
    try:
        docs.append({"ok": yaml.safe_load(y)})
    except Exception as e:  # noqa: BLE001
        docs.append({"err": type(e).__name__})
# pillar read from YAML (keys keep their YAML type), then a template over it
pillar_cases = []
for c in data.get("pillar_yaml", []):
    penv, pctx = environment({})
    pctx["pillar"] = yaml.safe_load(c["yaml"])
    penv.globals["pillar"] = pctx["pillar"]
    pillar_cases.append(render(lambda: penv.from_string(c["template"]).render(**pctx)))
print(json.dumps({"templates": templates, "files": files, "yaml": docs, "pillar_yaml": pillar_cases}, default=str))
