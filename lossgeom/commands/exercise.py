"""``lossgeom exercise``: seeded exercises with worked solutions, and their grader.

- ``lossgeom exercise --list``: one topic a line;
- ``lossgeom exercise TOPIC [--seed N] [--solution] [--format text|latex|json|moodle]``: the exercise;
- ``lossgeom exercise check TOPIC --seed N --answer TEXT``: exit 0 right, 1 wrong (with the
  explanation), 2 unreadable or hostile text (one line on stderr).
"""

import json

from lossgeom.cli import UsageError, add_out, add_seed, write_output

ORDER = 90


def add(sub):
    p = sub.add_parser("exercise", help="seeded exercises with worked solutions, and their grader",
                       description="Print a seeded exercise (same topic and seed, same exercise) with its worked "
                                   "solution, or grade an answer: 'lossgeom exercise check TOPIC --seed N --answer "
                                   "TEXT' exits 0 right, 1 wrong (with the explanation), 2 unreadable text.")
    p.add_argument("words", nargs="*", metavar="TOPIC", help="a topic (see --list), or: check TOPIC")
    p.add_argument("--list", action="store_true", help="print the topics, one a line")
    p.add_argument("--solution", action="store_true", help="also print the answer and the worked solution")
    p.add_argument("--answer", metavar="TEXT", help="with check: the answer to grade")
    p.add_argument("--format", choices=("text", "latex", "json", "moodle"), default="text",
                   help="output format (default %(default)s)")
    add_seed(p)
    add_out(p)
    p.set_defaults(func=run)


def run(args):
    from lossgeom.proofs.exercises import exercise, grade, moodle_xml, render, topics

    if args.list:
        if args.words:
            raise UsageError("exercise --list takes no topic")
        write_output("\n".join(topics()), args.out)
        return 0
    words = list(args.words)
    checking = bool(words) and words[0] == "check"
    if checking:
        words = words[1:]
    if len(words) != 1:
        raise UsageError("exercise: give one topic (see lossgeom exercise --list), or check TOPIC --answer TEXT")
    topic = words[0]
    if topic not in topics():
        raise UsageError("exercise: unknown topic %r (see lossgeom exercise --list)" % topic[:60])
    if checking:
        if args.answer is None:
            raise UsageError("exercise check: give --answer TEXT")
        result = grade(topic, args.seed, args.answer)
        if args.format == "json":
            text = json.dumps({"topic": topic, "seed": args.seed, "correct": result.correct,
                               "explanation": result.explanation}, indent=2)
        else:
            text = str(result)
        write_output(text, args.out)
        return 0 if result.correct else 1
    if args.answer is not None:
        raise UsageError("--answer: only with exercise check TOPIC")
    if args.format == "moodle":
        write_output(moodle_xml([topic], [args.seed]), args.out)
        return 0
    write_output(render(exercise(topic, args.seed), args.format, solution=args.solution), args.out)
    return 0
