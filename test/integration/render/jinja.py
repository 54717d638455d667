# Renders templates with the real Jinja2 configured like Salt (StrictUndefined, do + loopcontrols,
# trailing newline kept) and parses YAML with PyYAML's safe loader: the reference the differential
# test compares brine's renderer against. stdin: {"dir", "context", "templates", "yaml"} as JSON.
import json
import sys

import jinja2
import yaml

data = json.load(sys.stdin)
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(data["dir"]),
    undefined=jinja2.StrictUndefined,
    extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
    keep_trailing_newline=True,
)
env.globals.update(data["context"])


# Salt's serializer filters (salt.utils.jinja.SerializerExtension): yaml is PyYAML's safe_dump in
# flow style, stripped (and without the "..." document end); json is json.dumps with sorted keys.
def salt_yaml(value, flow_style=True):
    out = yaml.safe_dump(value, default_flow_style=flow_style, allow_unicode=True).strip()
    if out.endswith("\n..."):
        out = out[:-4]
    return out


env.filters["yaml"] = salt_yaml
env.filters["json"] = lambda v, sort_keys=True, indent=None: json.dumps(v, sort_keys=sort_keys, indent=indent)
env.filters["load_yaml"] = lambda v: yaml.safe_load(v)
env.filters["load_json"] = lambda v: json.loads(v)
out = []
for t in data["templates"]:
    try:
        out.append({"ok": env.from_string(t).render(**data["context"])})
    except Exception as e:  # noqa: BLE001 - any failure is an expected error case
        out.append({"err": type(e).__name__ + ": " + str(e)})
docs = []
for y in data["yaml"]:
    try:
        docs.append({"ok": yaml.safe_load(y)})
    except Exception as e:  # noqa: BLE001
        docs.append({"err": type(e).__name__})
print(json.dumps({"templates": out, "yaml": docs}, default=str))
