"""A sentence as one or more requests, before any is read: a remark before the request
("Movie time! Turn on the TV") lends it nothing, a correction in the sentence ("no wait,
the hall light") or a calling-off ("forget it, just shut the curtains") replaces what came
before, filler names nothing ("uh", "while you're at it", "I'm done down there"), and two
requests joined by "and" are two ("open the garage door and turn on the garage light")."""

from __future__ import annotations

import re

from .words import ACTION_PATTERN, clean

# "it", "them" (and "them both"), and "that" or "this" right after a verb: "turn that off"
POINTING_VERBS = ("turn", "switch", "shut", "open", "close", "lock", "stop", "start", "play",
                  "pause", "dim", "kill", "raise", "lower")  # fmt: skip
PRONOUN = re.compile(
    r"\b(it|them(?:\s+both|\s+all)?|that one|this one)\b(?!')|(?:"
    + "|".join(rf"(?<=\b{verb} )" for verb in POINTING_VERBS)
    + r")(?:that|this)\b"
)
# "open the garage door and turn on the garage light": two requests, each done (or refused)
# on its own; only where a device verb starts each ("go and make me a coffee" is one)
DEVICE_VERB = (
    r"(?:turn|switch|open|close|shut|lock|unlock|start|stop|set|dim|put|pause|play|resume|run|"
    r"activate|add|stick|pop|bung|get|bolt|unbolt)\b"
)
SECOND_REQUEST = re.compile(
    rf"(?:,\s*|\s+)(?:and\s*,?\s+(?:then\s+|maybe\s+|also\s+|just\s+)?|then\s+|also\s+)"
    rf"(?=(?:please\s+)?{DEVICE_VERB})",
    re.I,
)


# a remark before the request, ended by its punctuation: "Movie time! Turn on the TV",
# "Good night, lock the front door" (read with the request, its words would lend their verb
# or device to it: "good night" is no unlocking)
REMARK = re.compile(
    rf"^(?!\s*(?:if|when|unless|after|before|once|in|at|as soon)\b)(?:[^,.!?;]*?(?:[,.!?;]+|\s+so)\s*)+?"
    rf"(?=(?:(?:please|now|and|so|just|(?:can|could|would|will) you)\s+)*{DEVICE_VERB})",
    re.I,
)
# a correction said in the same sentence: what follows it replaces what came before
CORRECTION = re.compile(
    r"[,.;!]?\s+\b(?:no+(?:,?\s+wait)?|wait|sorry|i mean|actually|or rather|rather)\b"
    r"(?:[,.;!]?\s+(?:no+|wait|sorry|i mean|actually|make that|make it))*[,.;!]?\s+",
    re.I,
)
VERB_LEAD = re.compile(
    rf"^(?:please\s+)?{DEVICE_VERB}(?:\s+(?:on|off|up|down))?(?:\s+(?:the\s+)?(?=\w))?", re.I
)


# a greeting or sign-off sentence before the request: "Night night. Lounge lights off and..."
SALUTATION = re.compile(
    r"^(?:night night|nighty night|good ?night|night|morning|good morning|hello|hi|hey|right|"
    r"ok|okay|alright|thanks|thank you|cheers|ta|great|lovely|perfect)[.!,]+\s*(?=\S)",
    re.I,
)


def without_remark(said: str) -> str:
    """The request without a remark said before it ("Movie time! Turn on the TV")."""
    said = SALUTATION.sub("", said)
    found = REMARK.match(said)
    if found is None or re.match(DEVICE_VERB, clean(said)):
        return said
    rest = said[found.end() :]
    # "somebody left the hall light on, turn it off": the remark holds what "it" is
    return rest if rest.strip() and not PRONOUN.search(rest) else said


# what came before is called off: "I was going to get the hoover going but actually no,
# forget it, too noisy. Just shut the curtains"
CALLED_OFF = re.compile(
    r"\b(?:forget (?:it|that)|never ?mind|scratch that|cancel that)\b[^.!?;]*[.!?;]+\s*", re.I
)


def corrected(said: str) -> str:
    """The sentence as corrected in itself: "turn on the bathroom light, no wait, sorry, the
    hall light" -> "turn on the hall light" (the correction's device with the first verb)."""
    off = list(CALLED_OFF.finditer(said))
    rest = said[off[-1].end() :] if off else ""
    if rest and re.search(rf"\b{DEVICE_VERB}", clean(rest)):
        return re.sub(r"^(?:just|simply|only)\s+", "", rest.strip(), flags=re.I)
    parts = CORRECTION.split(said)
    if len(parts) < 2 or not re.match(DEVICE_VERB, clean(parts[0])):
        return said
    first, last = parts[0], parts[-1].strip(" ,.!?")
    last = re.sub(r"^(?:just|simply|only)\s+", "", last, flags=re.I)  # "no, just add ..."
    if not last:
        return said
    if re.match(DEVICE_VERB, clean(last)):
        return last  # "..., no, turn off the hall light": a whole request replaces it
    value = re.fullmatch(
        r"(?:make (?:it|that)\s+|to\s+)?(\d+(?:\.\d+)?)(\s*(?:degrees?|percent|%))?", clean(last)
    )
    number = re.search(r"\b\d+(?:\.\d+)?\b(?!.*\b\d)", first)
    if value is not None and number is not None:
        # "set the ecobee to 20, actually make it 21": the first request with the new value
        return f"{first[: number.start()]}{value.group(1)}{first[number.end() :]}"
    lead = VERB_LEAD.match(clean(first))
    if lead is None:
        return said
    verb = lead.group(0).strip()
    verb = re.sub(r"\s+the$", "", verb)
    # "turn the bathroom light on, I mean the hall": the particle said after the device
    tail = re.search(r"\s(on|off|up|down)\s*$", clean(first))
    if tail and not re.search(r"\b(on|off|up|down)$", verb):
        return f"{verb} {last} {tail.group(1)}"
    return f"{verb} {last}"


# a second request with a particle of its own and no verb: "turn that off, and the bedroom
# switch on" (its "on" wins over the first request's verb)
OWN_PARTICLE = re.compile(
    r"(?:,\s*|\s+)and\s+(?P<thing>(?:(?:the|my|our)\s+)?[\w' ]+?)\s+(?P<particle>on|off)"
    r"(?:,?\s+(?:please|thanks|thank you))?[\s.!?]*$",
    re.I,
)
# filler that names nothing: "while you're at it" (its "it" is no device)
FILLER = re.compile(
    r",?\s*\b(?:while|whilst) (?:you'?re|you are) (?:at it|there|up)\b|,?\s*\bif you don'?t mind\b"
    # when the speaker will be away is no part of what to do now ("hoover while I'm out")
    r"|,?\s*\b(?:while|whilst) (?:i'?m|i am|we'?re|we are) (?:out|away|gone|at work|asleep|"
    r"at the shops|out shopping)\b"
    # hesitation: "turn off the kitchen lights and, uh, stick the telly on"
    r"|,?\s*\b(?:uh+|um+|er+m?|ehm|ah)\b,?|,?\s*\bdo you know\b"
    r"|,?\s*\bif you (?:would|could|please|can)(?: be so kind)?\b",
    re.I,
)
# "switch 'em off": them
EM = re.compile(r"(?<![\w'])'em\b", re.I)
# what the speaker says of themselves after the request: "switch it off, I'm done down there"
# (its "down" is no dimming); only where a request comes before it
SELF_REMARK = re.compile(
    r"[,;.]\s*(?:i'?m|i am|i'?ve|i have|we'?re|we are|i'?ll|we'?ll|i just|i want|i need|"
    r"i can(?:'?t|not)?|i could)\b.*$",
    re.I,
)


def without_filler(said: str) -> str:
    """The sentence without filler that names nothing ("..., while you're at it")."""
    said = EM.sub("them", FILLER.sub("", SALUTATION.sub("", said)))
    remark = SELF_REMARK.search(said)
    before = clean(said[: remark.start()]) if remark is not None else ""
    # after a request, or a follow-up ("and the office heater to 20 as well, I'll be working
    # in there later")
    if remark is not None and (
        re.search(rf"\b{DEVICE_VERB}", before)
        or re.match(
            r"(?:and|also|plus|what about|how about|same for)\b", said[: remark.start()].lower()
        )
    ):
        said = said[: remark.start()]
    return " ".join(said.split())


# "set the thermostat to 20 and the office to 16": a second value for another place, no verb
ELLIPTIC = re.compile(
    r"(?:,\s*|\s+)(?P<rest>and\s+(?:the\s+|my\s+)?[\w' ]+?\s+(?:to|at)\s+\d+(?:\.\d+)?"
    r"(?:\s*(?:degrees?|percent))?)(?:,?\s+(?:please|thanks|thank you)(?:\s+\w+)?)?[\s.!?]*$",
    re.I,
)


def requests_in(said: str) -> list[str]:
    """The requests in one sentence, each with its own verb."""
    said = without_remark(said)
    second = ELLIPTIC.search(said)
    first = said[: second.start()] if second is not None else ""
    if (
        second is not None
        and re.search(r"\b(?:to|at)\s+\d", first)
        and re.match(DEVICE_VERB, clean(first))
    ):
        return [first.strip(), second.group("rest")]
    parts = [part.strip() for part in SECOND_REQUEST.split(said) if part.strip()]
    if len(parts) > 1 and not re.match(DEVICE_VERB, clean(parts[0])):
        parts = [said]  # "if the switch is on then turn it off": no two requests
    return [request for part in parts for request in _own_particle(part)]


def _own_particle(part: str) -> list[str]:
    """ "..., turn that off, and the bedroom switch on": two requests, the second with its
    own particle; only where the first has a verb and the second none."""
    found = OWN_PARTICLE.search(part)
    if found is None:
        return [part]
    first = part[: found.start()].strip()
    said_first = clean(first)
    # "telly off and hoover on": the first has its own particle, not a verb
    verbless = re.search(r"\b(?:on|off)$", said_first) is not None and len(said_first.split()) <= 4
    if (not verbless and not re.search(rf"\b{DEVICE_VERB}", said_first)) or ACTION_PATTERN.search(
        clean(found.group("thing"))
    ):
        return [part]
    return [first, f"turn {found.group('particle').lower()} {found.group('thing')}"]
