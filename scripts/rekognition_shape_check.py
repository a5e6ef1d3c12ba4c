#!/usr/bin/env python3
"""Check JSON documents against Amazon Rekognition's API shapes.

The service model is loaded at run time from the installed botocore package
(botocore/data/rekognition/<latest api-version>/service-2.json[.gz]).

Usage:
  rekognition_shape_check.py OPERATION [FILE|-]            an output (response) document
  rekognition_shape_check.py --request OPERATION [FILE|-]  an input (request) document
  options: --jsonl (one document per non-empty line), --require DOTTED.PATH
           (repeatable; lists are traversed implicitly), --list-operations

Exit status: 0 valid, 1 invalid, 2 usage error (bad arguments, unknown
operation or --require path, unreadable file, input not JSON, no botocore).
Problems go to stdout as "PATH: message" ("line N: " first with --jsonl),
then a last line "N problems" or "ok".  Warnings go to stderr.
"""

import argparse
import base64
import binascii
import datetime
import difflib
import json
import math
import re
import sys

RANGES = {"integer": (-2 ** 31, 2 ** 31 - 1), "long": (-2 ** 63, 2 ** 63 - 1),
          "float": (-3.4028235677973362e38, 3.4028235677973362e38),  # rounds to a finite float32
          "double": (-sys.float_info.max, sys.float_info.max)}


class UsageError(Exception):
    pass


def load_model():
    try:
        import botocore.loaders
    except ImportError:
        raise UsageError("botocore is not installed (pip install botocore)")
    try:  # the loader picks the newest API version and reads .json or .json.gz
        return botocore.loaders.Loader().load_service_model("rekognition", "service-2")
    except Exception as exc:
        raise UsageError("cannot load botocore's rekognition model: %s" % exc)


def show(value, limit=50):
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def kind(value):
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
             dict: "object"}
    return "null" if value is None else "%s %s" % (names[type(value)], show(value))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v):
    return is_int(v) or isinstance(v, float)


ACCEPTS = {  # JSON value kinds each shape type accepts
    "structure": lambda v: isinstance(v, dict), "map": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list), "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str), "blob": lambda v: isinstance(v, str),
    "integer": is_int, "long": is_int, "float": is_number, "double": is_number,
    "timestamp": lambda v: is_number(v) or isinstance(v, str),
}


class Checker:
    def __init__(self, shapes):
        self.shapes = shapes
        self.patterns = {}

    def check(self, value, name, path, out):
        shape = self.shapes[name]
        t = shape["type"]
        if t not in ACCEPTS:
            print("warning: shape %s has unsupported type %s; not checked" % (name, t),
                  file=sys.stderr)
        elif not ACCEPTS[t](value):
            out.append((path, "expected %s (%s), got %s" % (t, name, kind(value))))
        else:
            getattr(self, "check_" + t)(value, name, shape, path, out)

    def limits(self, value, label, name, shape, path, out):
        """Model min/max: a number's value, or the length of a string/list/map/blob."""
        if "min" in shape and value < shape["min"]:
            out.append((path, "%s is below min %s (%s)" % (label, shape["min"], name)))
        if "max" in shape and value > shape["max"]:
            out.append((path, "%s is above max %s (%s)" % (label, shape["max"], name)))

    def check_boolean(self, value, name, shape, path, out):
        pass  # the type check is all there is

    def check_structure(self, value, name, shape, path, out):
        members = {m.get("locationName", k): m for k, m in shape.get("members", {}).items()}
        for key, item in value.items():
            if key not in members:
                out.append((path + "." + key, "unknown member of %s (members: %s)"
                            % (name, ", ".join(members) or "none")))
            else:
                self.check(item, members[key]["shape"], path + "." + key, out)
        for key in shape.get("required", []):
            if key not in value:
                out.append((path + "." + key, "missing required member of %s" % name))

    def check_list(self, value, name, shape, path, out):
        self.limits(len(value), "list length %d" % len(value), name, shape, path, out)
        for i, item in enumerate(value):
            self.check(item, shape["member"]["shape"], "%s[%d]" % (path, i), out)

    def check_map(self, value, name, shape, path, out):
        self.limits(len(value), "map size %d" % len(value), name, shape, path, out)
        for key, item in value.items():
            self.check(key, shape["key"]["shape"], "%s[%s](key)" % (path, json.dumps(key)), out)
            self.check(item, shape["value"]["shape"], "%s[%s]" % (path, json.dumps(key)), out)

    def check_string(self, value, name, shape, path, out):
        if "enum" in shape and value not in shape["enum"]:
            out.append((path, "%s is not one of %s: %s"
                        % (show(value), name, ", ".join(shape["enum"]))))
        self.limits(len(value), "string length %d" % len(value), name, shape, path, out)
        if "pattern" in shape:
            if name not in self.patterns:
                try:  # ECMA-262 \d and \w are ASCII-only
                    self.patterns[name] = re.compile(shape["pattern"], re.ASCII)
                except re.error as exc:
                    print("warning: pattern %s of %s does not compile in Python (%s); not checked"
                          % (shape["pattern"], name, exc), file=sys.stderr)
                    self.patterns[name] = None
            rx = self.patterns[name]
            if rx is not None and not rx.fullmatch(value):
                out.append((path, "%s does not match pattern %s (%s)"
                            % (show(value), shape["pattern"], name)))

    def check_number(self, value, name, shape, path, out):
        lo, hi = RANGES[shape["type"]]
        if isinstance(value, float) and not math.isfinite(value):
            out.append((path, "%s is not a finite number (%s)" % (value, name)))
        elif not lo <= value <= hi:
            out.append((path, "%s is outside the %s range (%s)" % (show(value), shape["type"], name)))
        else:
            self.limits(value, show(value), name, shape, path, out)

    check_integer = check_long = check_float = check_double = check_number

    def check_timestamp(self, value, name, shape, path, out):
        if is_number(value):
            if isinstance(value, float) and not math.isfinite(value):
                out.append((path, "%s is not a finite timestamp (%s)" % (value, name)))
            return
        text = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
        try:
            datetime.datetime.fromisoformat(text)
        except ValueError:
            out.append((path, "%s is not an ISO-8601 timestamp (%s)" % (show(value), name)))

    def check_blob(self, value, name, shape, path, out):
        try:
            size = len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            out.append((path, "%s is not valid base64 (%s)" % (show(value), name)))
            return
        self.limits(size, "blob size %d" % size, name, shape, path, out)


def require_tokens(shapes, root, spec):
    """Checks a --require path against the model; returns its member names."""
    tokens = spec.replace("[]", "").split(".")
    name = root
    for tok in tokens:
        while shapes[name]["type"] == "list":
            name = shapes[name]["member"]["shape"]
        members = {m.get("locationName", k): m for k, m in shapes[name].get("members", {}).items()}
        if shapes[name]["type"] != "structure" or tok not in members:
            raise UsageError("--require %s: %r is not a member of %s %s"
                             % (spec, tok, shapes[name]["type"], name))
        name = members[tok]["shape"]
    return tokens


def present(node, tokens):
    """True if the member path occurs at least once (lists traversed)."""
    if not tokens:
        return True
    if isinstance(node, list):
        return any(present(item, tokens) for item in node)
    if isinstance(node, dict):
        return tokens[0] in node and present(node[tokens[0]], tokens[1:])
    return False


def read_documents(source, jsonl):
    """[(prefix, document)]; unreadable input or input that is not JSON is a usage error."""
    try:
        if source == "-":
            text = sys.stdin.buffer.read().decode("utf-8-sig")
        else:
            with open(source, "rb") as fh:
                text = fh.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("cannot read %s: %s" % (source, exc))
    chunks = [("line %d: " % n, line) for n, line in enumerate(text.split("\n"), 1)
              if line.strip()] if jsonl else [("", text)]
    docs = []
    for prefix, chunk in chunks:
        try:  # NaN/Infinity are accepted here and reported as non-finite numbers later
            docs.append((prefix, json.loads(chunk)))
        except (ValueError, RecursionError) as exc:
            raise UsageError("%snot JSON: %s" % (prefix, exc))
    if not docs:
        raise UsageError("no JSON document in %s" % source)
    return docs


def main(argv):
    p = argparse.ArgumentParser(prog="rekognition_shape_check.py",
                                description="Check Rekognition-shaped JSON against botocore's model.")
    p.add_argument("args", nargs="*", metavar="OPERATION [FILE|-]")
    p.add_argument("--request", metavar="OPERATION", help="check a request (input) document")
    p.add_argument("--jsonl", action="store_true", help="each non-empty line is a document")
    p.add_argument("--require", action="append", default=[], metavar="PATH",
                   help="dotted member path that must occur at least once (repeatable)")
    p.add_argument("--list-operations", action="store_true", help="print operation names")
    opts = p.parse_intermixed_args(argv)
    try:
        model = load_model()
        if opts.list_operations:
            print("\n".join(sorted(model["operations"])))
            return 0
        args = ([opts.request] if opts.request else []) + opts.args
        if not 1 <= len(args) <= 2:
            raise UsageError("expected OPERATION [FILE|-] or --request OPERATION [FILE|-]")
        op, which = args[0], "input" if opts.request else "output"
        if op not in model["operations"]:
            close = difflib.get_close_matches(op, model["operations"], 1)
            raise UsageError("unknown operation %r%s (see --list-operations)"
                             % (op, " (did you mean %s?)" % close[0] if close else ""))
        if which not in model["operations"][op]:
            raise UsageError("%s has no %s shape" % (op, which))
        root = model["operations"][op][which]["shape"]
        requires = [(spec, require_tokens(model["shapes"], root, spec)) for spec in opts.require]
        docs = read_documents(args[1] if len(args) > 1 else "-", opts.jsonl)
    except UsageError as exc:
        print("%s: error: %s" % (p.prog, exc), file=sys.stderr)
        return 2

    checker, count = Checker(model["shapes"]), 0
    for prefix, doc in docs:
        out = []
        if isinstance(doc, dict):
            checker.check(doc, root, "$", out)
            out += [("$." + spec, "required path is not present (--require)")
                    for spec, tokens in requires if not present(doc, tokens)]
        else:
            out.append(("$", "expected a JSON object (%s), got %s" % (root, kind(doc))))
        for path, msg in out:
            print("%s%s: %s" % (prefix, path, msg))
        count += len(out)
    print("%d problems" % count if count else "ok")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
