#!/usr/bin/python3
"""check.py: is a PROPFIND 207 body well-formed, and what does it hold?

    check.py BODY  ->  "RESPONSES OK NOTFOUND OKNAMES NOTFOUNDNAMES"

Parses BODY with expat (a body that is not well-formed XML is an error,
exit 1), counts its DAV:response elements and, for the first response
that is not a collection (a file of the listing), the properties it
reports with status 200 and with status 404, by local name, comma-
separated ("-" for none).  bench/peers uses it so that no server "wins"
by answering less: the number of responses must be N + 1 and the
properties are written beside the timings.
"""
import sys
import xml.etree.ElementTree as ET

DAV = "{DAV:}"


def main(path):
    responses = 0
    found = None
    try:
        for _, el in ET.iterparse(path, events=("end",)):
            if el.tag != DAV + "response":
                continue
            responses += 1
            if found is None:
                ok, nf, coll = [], [], False
                for ps in el.findall(DAV + "propstat"):
                    st = (ps.findtext(DAV + "status") or "").split()
                    code = st[1] if len(st) > 1 else "?"
                    prop = ps.find(DAV + "prop")
                    for p in (list(prop) if prop is not None else []):
                        local = p.tag.split("}")[-1]
                        if local == "resourcetype" and p.find(DAV + "collection") is not None:
                            coll = True
                        if code == "200":
                            ok.append(local)
                        elif code == "404":
                            nf.append(local)
                if not coll:
                    found = (ok, nf)
            el.clear()
    except ET.ParseError as e:
        print("not well-formed: %s" % e, file=sys.stderr)
        return 1
    ok, nf = found if found else ([], [])
    print(responses, len(ok), len(nf), ",".join(sorted(ok)) or "-",
          ",".join(sorted(nf)) or "-")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
