#!/usr/bin/env python3
"""The folders of sessim's core in layers, and the check that keeps them so.

A file may include files of its own folder and of any folder in a layer
below its own; nothing of its own layer's other folders and nothing above.
Run by the build (target check_layers, part of `all`) and by CTest, so that an
upward include fails the build where it is written:

  scripts/check_layers.py [SOURCE_DIR]

Also: the sessim app's own HTTP contract (node/protocol.h) is reached, through
any chain of includes, by none of the folders that must work for every app.
"""

import os
import re
import sys

# Bottom to top.
LAYERS = [
    ["common"],            # text, grammar, durations, errors: no project includes
    ["vocab"],             # the enums, their name tables, the settings table
    ["sys", "net"],        # processes, files, signals; sockets, HTTP, cookies
    ["node"],              # sessim's own app node and its stores
    ["balancer", "app"],   # the built-in balancer; app profiles and session models
    ["front"],             # nginx and HAProxy configured and run
    ["cluster"],           # the system under test as the player drives it
    ["scenario", "load"],  # the story language; bench's load generator
    ["history"],           # what happened, and the checker over it
    ["play"],              # the player
    ["report", "deploy"],  # renderings of results; exports of a topology
    ["cli"],               # the commands
]
APP_NEUTRAL = ["scenario", "play", "history", "report"]
APP_CONTRACT = "node/protocol.h"

INCLUDE = re.compile(r'\s*#\s*include\s+"([a-z_]+)/([^"]+)"')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    layer_of = {folder: index for index, layer in enumerate(LAYERS) for folder in layer}
    includes = {}  # "folder/file" -> [(line number, "folder/file")]
    problems = []
    for folder in layer_of:
        for directory, _, files in os.walk(os.path.join(root, folder)):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                path = os.path.relpath(os.path.join(directory, name), root)
                found = []
                with open(os.path.join(root, path), encoding="utf-8", errors="replace") as source:
                    for number, line in enumerate(source, 1):
                        match = INCLUDE.match(line)
                        if match:
                            found.append((number, match.group(1) + "/" + match.group(2)))
                includes[path] = found
    for path, found in sorted(includes.items()):
        folder = path.split("/")[0]
        for number, included in found:
            target = included.split("/")[0]
            if target == folder or target not in layer_of:
                continue
            if layer_of[target] >= layer_of[folder]:
                where = "its own layer" if layer_of[target] == layer_of[folder] else "a layer above"
                problems.append(
                    f"{path}:{number}: includes {included}, which is in {where} "
                    f"({folder} is layer {layer_of[folder]}, {target} layer {layer_of[target]}; "
                    f"scripts/check_layers.py lists them)")
    # The app's contract, through any chain of includes.
    for path in sorted(includes):
        if path.split("/")[0] not in APP_NEUTRAL:
            continue
        seen, chain = set(), {path: [path]}
        stack = [path]
        while stack:
            current = stack.pop()
            for _, included in includes.get(current, []):
                if included in seen:
                    continue
                seen.add(included)
                chain[included] = chain[current] + [included]
                if included == APP_CONTRACT:
                    problems.append(
                        f"{path}: reaches {APP_CONTRACT}, sessim's own app contract, through "
                        f"{' -> '.join(chain[included][1:])}; {path.split('/')[0]}/ must work "
                        f"for every app")
                    stack.clear()
                    break
                stack.append(included)
    for problem in problems:
        print(f"layers: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"layers: {len(includes)} files in {len(layer_of)} folders, every include downward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
