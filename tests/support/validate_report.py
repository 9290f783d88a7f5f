#!/usr/bin/python3
"""Validates a sessim JSON report against a JSON Schema, and checks that
every key the report holds is declared there (the schema lets consumers
accept fields it does not know; the project's own reports may not hold
any it does not describe).

  validate_report.py SCHEMA REPORT
"""
import json
import sys

import jsonschema


def undeclared(value, schema, root, path, found):
    while "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    if "oneOf" in schema:
        for option in schema["oneOf"]:
            if option.get("type") == "object" and isinstance(value, dict):
                schema = option
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if properties is not None and key in properties:
                undeclared(item, properties[key], root, f"{path}.{key}", found)
            elif isinstance(extra, dict):
                undeclared(item, extra, root, f"{path}.{key}", found)
            else:
                found.append(f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            undeclared(item, schema["items"], root, f"{path}[{index}]", found)


def main():
    schema = json.load(open(sys.argv[1]))
    report = json.load(open(sys.argv[2]))
    jsonschema.Draft202012Validator.check_schema(schema)
    try:
        jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as error:
        print(f"invalid at {'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
        return 1
    found = []
    undeclared(report, schema, schema, "$", found)
    if found:
        print("keys the schema does not declare: " + ", ".join(sorted(set(found))[:20]))
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
