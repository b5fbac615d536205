"""Everyday turns of phrase said plainly before a request is read (understanding.py): a
remark that a device is left on is the request to turn it off, "put the heater on 18" is a
setting, "the floor's covered in crumbs" wants the vacuum, "too much sun" the blinds, and a
reason said after a request is no part of it."""

from __future__ import annotations

import re

from .words import ACTION_PATTERN, LEFT_ON, STILL_ON


def left_on(said: str) -> str:
    """A remark that a device is (still, left) on, as the request it makes: "someone left the
    office light on" -> "turn off the office light"; with a request of its own beside it
    ("the TV is on, turn it down") only the remark's "on" goes, so it is never a verb."""
    if said.startswith(("is ", "are ", "was ", "what", "which", "why", "how", "did ")):
        return said  # "is the light still on?": a question
    remark = LEFT_ON.sub(r"\1", said)
    remark = STILL_ON.sub("", remark)
    if remark == said:
        return said
    if ACTION_PATTERN.search(remark):
        return remark
    return f"turn off {remark}"


# everyday turns of phrase said plainly, each for what it asks (never a verb of its own
# words: "clean up" is no "up", "put ... on pause" is no "put ... on")
PLAIN = (
    # "send the robot vacuum out", "send it off to do a clean": start it
    (re.compile(r"^send (it|them|(?:the |my )?[a-z ]+?) (?:out|off)(?: to (?:do a |have a )?clean(?:ing)?)?$"),
     r"start \1"),
    # "give the lounge a hoover": vacuum it
    (re.compile(r"^give (?:the |my )?([a-z' ]+?) a (?:hoover|vacuum|clean|quick hoover)$"), r"vacuum the \1"),
    # "go into stealth mode": the scene or script of that name
    (re.compile(r"^(?:go|switch|put (?:us|the house|everything)) into (.+? mode)$"), r"activate \1"),
    # "stick oat milk on the shopping list": add it
    (re.compile(r"^(?:stick|pop|put|bung|chuck|throw) (.+?) (?:on|onto) (?:the |my )?(.+? list)$"),
     r"add \1 to the \2"),
    # "that fan in the lounge, is it running?": the question, asked plainly
    (re.compile(r"^(?!(?:how|what|where|who|when|why|which|is|are|do|does|can|could)\b)"
                r"(?:that |this |the )?([a-z' ]+?),? (is|are) (?:it|they|she|he) "
                r"((?:still )?(?:on|off|open|closed|shut|locked|unlocked|running|playing|going))$"),
     r"\2 the \1 \3"),
    # "the ecobee, what's that on?": what it is set to
    (re.compile(r"^(?!(?:how|what|where|who|when|why|which)\b)(?:that |this |the )?([a-z' ]+?),? "
                r"what'?s (?:that|it|she) (?:on|set to|at)$"),
     r"what's the \1 set to"),
    # "get it going", "get the hoover going": start it
    (re.compile(r"\bget (it|them|(?:the |my )?[a-z]+) (?:going|started|running)\b"), r"start \1"),
    # "what's it doing in New York?": the weather there
    (re.compile(r"^what'?s (?:it|the weather) doing (?:in|at|over in) (.+?)(?: today| now)?$"),
     r"what's the weather like in \1"),
    (re.compile(r"^what'?s (?:it|the weather) doing(?: outside)?(?: today| now)?$"),
     "what's the weather like"),
    (re.compile(r"^did (?:i|we|you|someone|somebody|anyone) leave "), "is "),
    (re.compile(r"^put (.+?) on pause$"), r"pause \1"),
    (re.compile(r"\b(?:start|restart|resume|continue|put on) (?:the |my )?"
                r"(?:show|film|movie|programme|program|episode|series)(?: again)?\b"), "resume"),
    (re.compile(r"\bget (\w+) to (?:clean|hoover|vacuum)(?: up)?\b"), r"start \1"),
    (re.compile(r"\b(clean|hoover|vacuum)(?:ing)? up\b"), r"\1"),
    # "the floor's covered in crumbs again, sort it out": the floor wants cleaning
    (re.compile(r"^.*\b(?:crumbs|dirty floors?|floors? (?:is|are|'s) (?:dirty|filthy|a mess|covered)"
                r"|mess on the floor|dust everywhere|muddy footprints|pet hair)\b.*$"), "clean the floor"),
    (re.compile(r"\b(?:back )?to (?:charge|recharge)\b"), "to base"),
    (re.compile(r"\b(?:can )?barely hear\b"), "can't hear"),
    # "put the office thermostat on 18", "crank the heater up to 22": a value, not "on"/"up"
    (re.compile(r"^(?:put|crank|bump|whack|knock|bring|pop|drop|take) (.+?) (?:on|at|up to|down to|to) (\d)"),
     r"set \1 to \2"),
    # "the thermostat's set too high, drop it": a remark on the setting, not a new one
    (re.compile(r"\bset (too (?:high|low|hot|warm|cold|cool))\b"), r"\1"),
    # too much sun: the room's blinds closed ("the guest room is getting too much sun")
    (re.compile(r"^(?:the )?([a-z' ]+?)(?:'s| is) getting (?:way |far |much |a bit )?too much sun$"),
     r"close the blinds in the \1"),
    (re.compile(r"^(?:the )?sun'?s? (?:is )?in (?:my|our) eyes$|"
                r"^(?:there'?s |it'?s )?(?:way |far |a bit )?too (?:much sun|sunny)(?: in here)?$"),
     "close the blinds"),
    # "ecobee to 22", "telly volume to 40": a device and a value with no verb, set it
    (re.compile(r"^(?!(?:set|put|turn|change|make|dim|bring|go|move|get|take|send)\b)"
                r"([a-z][a-z' ]*?) (?:up |down )?to (\d)"), r"set \1 to \2"),
)  # fmt: skip
# a reason said after the request: "shut off the water main there's a leak under the sink"
REASON = re.compile(
    r"\s+(?:there'?s|there is|there are|because|cause|cos|since|"
    r"so (?:that )?(?:they|i|we|she|he|you|it|the kids)\b|for the news|for the match)\b.*$"
)


def plainly(said: str) -> str:
    for pattern, plain in PLAIN:
        said = pattern.sub(plain, said)
    if ACTION_PATTERN.match(said):
        said = REASON.sub("", said)
    return said
