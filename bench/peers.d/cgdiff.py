#!/usr/bin/python3
"""cgdiff.py: instructions per response from two callgrind profiles.

    cgdiff.py LOW HIGH RESPONSES  ->  lines "PER-RESPONSE<TAB>OBJECT<TAB>FUNCTION"

LOW and HIGH are callgrind output files of the same server doing the same
requests except one, which lists RESPONSES more responses in HIGH.  The
self cost (Ir) of each function, keyed by object and function name (the
file is left out: callgrind splits one function across the files its
inlined code comes from), is summed in each file; the difference divided
by RESPONSES is that function's cost per response.  Sorted by cost,
largest first; functions under 0.5 instructions per response are left out.
Reads the callgrind format directly (name compression, call cost lines,
which are inclusive and not counted as self cost).
"""
import sys


def self_costs(path):
    names = {"ob": {}, "fn": {}}
    cur = {"ob": "?", "fn": "?"}
    cost = {}
    skip_next = False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:           # the inclusive cost of a call
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    key = (cur["ob"], cur["fn"])
                    cost[key] = cost.get(key, 0) + int(parts[1])
                continue
            if line.startswith("calls="):
                skip_next = True
                continue
            key, _, val = line.partition("=")
            if key in ("ob", "fn"):
                kind = key
            elif key in ("cob", "cfn", "cfi", "cfl", "fl", "fi", "fe"):
                # names of callees and files: remember compressed ids of
                # cob/cfn too, they may be referred to later as ob/fn
                kind = {"cob": "ob", "cfn": "fn"}.get(key)
                if kind is None:
                    continue
            else:
                continue
            val = val.strip()
            if val.startswith("("):
                ident, _, name = val.partition(")")
                ident = ident[1:]
                name = name.strip()
                if name:
                    names[kind][ident] = name
                else:
                    name = names[kind].get(ident, "?")
            else:
                name = val
            if key in ("ob", "fn"):
                cur[key] = name
    return cost


def main(lo_path, hi_path, responses):
    lo, hi = self_costs(lo_path), self_costs(hi_path)
    n = float(responses)
    rows = []
    for key in set(lo) | set(hi):
        d = (hi.get(key, 0) - lo.get(key, 0)) / n
        if abs(d) >= 0.5:
            obj = key[0].rsplit("/", 1)[-1]
            rows.append((d, obj, key[1]))
    rows.sort(reverse=True)
    for d, obj, fn in rows:
        print("%.1f\t%s\t%s" % (d, obj, fn))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
