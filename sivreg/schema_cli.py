"""`sivreg schema answers [--out FILE] [--lang nb|en]` and `sivreg schema rulebook [--out DIR]`:
the JSON Schemas of sivreg/schema.py, printed or written (atomically) for an editor.

    sivreg schema answers --out parameters/sivreg-answers.schema.json
    sivreg template > parameters/my-project.yaml   # first line names that schema
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def cmd_schema(args) -> int:
    from .io import atomic_write
    from .schema import answers_schema, rulebook_schemas
    if args.what == "answers":
        text = _json(answers_schema(lang=args.lang))
        if args.out:
            atomic_write(Path(args.out), text)
        else:
            sys.stdout.write(text)
        return 0
    schemas = rulebook_schemas()
    if not args.out:
        sys.stdout.write(_json(schemas))
        return 0
    for kind, schema in schemas.items():  # DIR/<folder>.schema.json, one per kind of file
        atomic_write(Path(args.out) / f"{kind}.schema.json", _json(schema))
    return 0


def register(sub) -> None:
    p = sub.add_parser("schema", help="JSON Schema of an answers file or of the rulebook files (for editors)")
    p.add_argument("what", choices=("answers", "rulebook"))
    p.add_argument("--out", default=None,
                   help="answers: write the schema to this file; rulebook: write <folder>.schema.json into this folder")
    p.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the descriptions (answers)")
    p.set_defaults(func=cmd_schema)
