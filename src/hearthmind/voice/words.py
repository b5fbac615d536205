"""The words people use for a home's things and for what to do with them, beyond the
grammar's: kinds of device and their other names (telly, shades, air con), the verbs of
everyday speech ("kill the lights", "shades up", "put the telly on"), the framing around a
request ("could you please ...", "I want the TV on"), and the words of a relative or vague
request (warmer, brighter, louder, "I'm cold").

Only understanding.py reads these, after the grammar has not matched, so the grammar (and
the speech models sampled from it) stay exactly as they were."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .phrases import words_to_digits


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of device as people name it: the entities it covers are those in `domains`
    (narrowed to `device_classes` when given), or any whose name has one of `name_words`."""

    noun: str  # as the hub says it: "air conditioner"
    domains: frozenset[str]
    device_classes: frozenset[str] = frozenset()
    name_words: frozenset[str] = frozenset()
    by_name_only: bool = False  # only entities whose names say so (no domain of its own)


WINDOW_COVERINGS = frozenset({"curtain", "blind", "shade", "shutter", "awning"})
KINDS: dict[str, Kind] = {
    "light": Kind("light", frozenset({"light"})),
    "tv": Kind(
        "TV",
        frozenset({"media_player"}),
        frozenset({"tv"}),
        frozenset({"tv", "television", "telly"}),
    ),
    "speaker": Kind(
        "speaker", frozenset({"media_player"}), frozenset({"speaker", "receiver"}), frozenset()
    ),
    "fan": Kind("fan", frozenset({"fan"})),
    "covering": Kind(
        "blind",
        frozenset({"cover"}),
        WINDOW_COVERINGS,
        frozenset({"curtain", "curtains", "blind", "blinds", "shade", "shades", "drapes"}),
    ),
    "garage": Kind("garage door", frozenset({"cover"}), frozenset({"garage"})),
    "gate": Kind("gate", frozenset({"cover"}), frozenset({"gate"})),
    "lock": Kind("lock", frozenset({"lock"})),
    "climate": Kind("thermostat", frozenset({"climate"})),
    "ac": Kind(
        "air conditioner",
        frozenset({"climate", "switch", "fan"}),
        name_words=frozenset({"ac", "aircon", "air conditioner", "air conditioning", "air con"}),
        by_name_only=True,
    ),
    "vacuum": Kind("vacuum", frozenset({"vacuum"})),
    "valve": Kind("valve", frozenset({"valve"})),
    "water_heater": Kind("water heater", frozenset({"water_heater"})),
    "alarm": Kind("alarm", frozenset({"alarm_control_panel"})),
    "switch": Kind("switch", frozenset({"switch"})),
    "media": Kind("player", frozenset({"media_player"})),
    # "is anything on in the kitchen": what "everything off" would turn off
    "any": Kind("device", frozenset({"light", "switch", "fan", "media_player"})),
}
# the words for each kind, longest first when matched (so "tv set" beats "tv")
KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "light",
            "lights",
            "lamp",
            "lamps",
            "lighting",
            "bulb",
            "bulbs",
            "lightbulbs",
            "brightness",
        ),
        "light",
    ),
    **dict.fromkeys(
        ("tv", "tvs", "tv set", "television", "televisions", "telly", "telly box"), "tv"
    ),
    **dict.fromkeys(("speaker", "speakers", "stereo", "radio", "music"), "speaker"),
    **dict.fromkeys(("fan", "fans", "ceiling fan"), "fan"),
    **dict.fromkeys(
        (
            "blind",
            "blinds",
            "shade",
            "shades",
            "curtain",
            "curtains",
            "drape",
            "drapes",
            "shutter",
            "shutters",
            "window covering",
            "window coverings",
            "roller blind",
        ),
        "covering",
    ),
    **dict.fromkeys(("garage door", "garage doors", "garage"), "garage"),
    **dict.fromkeys(("gate", "gates"), "gate"),
    **dict.fromkeys(("lock", "locks", "door", "doors", "front door", "back door"), "lock"),
    **dict.fromkeys(
        ("heating", "heat", "heater", "thermostat", "thermostats", "temperature"), "climate"
    ),
    **dict.fromkeys(
        ("ac", "a c", "aircon", "air con", "air conditioner", "air conditioning", "cooling"),
        "ac",
    ),
    **dict.fromkeys(
        (
            "vacuum",
            "vacuum cleaner",
            "hoover",
            "robot vacuum",
            "robot",
            "roomba",
            "robot cleaner",
            "cleaning robot",
            "cleaner robot",
            "robotic vacuum",
            "robot hoover",
        ),
        "vacuum",
    ),
    # "shut off the water": a home's water is its main valve
    **dict.fromkeys(
        ("valve", "valves", "water valve", "water supply", "water", "water main", "mains water"),
        "valve",
    ),
    **dict.fromkeys(("water heater", "boiler", "hot water"), "water_heater"),
    **dict.fromkeys(("alarm", "alarm system", "burglar alarm", "security system"), "alarm"),
    **dict.fromkeys(("switch", "switches", "plug", "plugs", "socket", "sockets"), "switch"),
    **dict.fromkeys(("volume", "sound", "player"), "media"),
    **dict.fromkeys(("anything", "something", "any device", "any devices"), "any"),
}
KIND_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(KIND_WORDS, key=len, reverse=True)) + r")\b"
)

# what is said around a request, taken off before it is read (leading, then trailing)
FRAMING = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|um|uh|oh|well|right|alright|now|and|then|hold on|wait|"
    r"one sec(?:ond)?)\b[\s,]*)*"
    r"(?:(?:please|kindly)\s+)?"
    r"(?:(?:could|can|would|will)\s+you\s+(?:please\s+|kindly\s+|just\s+)?"
    r"(?:mind\s+)?|(?:(?:would|do)\s+you\s+)?mind\s+|you\s+(?:can|could|may)\s+|"
    r"(?:would|will)\s+it\s+be\s+possible\s+to\s+|is\s+it\s+possible\s+to\s+|"
    r"(?:i\s+(?:would|'d|d)\s+like|i\s+want|i\s+wanna|i\s+need|we\s+want|we\s+need)"
    r"(?:\s+you)?(?:\s+to)?\s+|"
    r"(?:go\s+ahead\s+and|let's|lets)\s+)?"
    r"(?:please\s+)?"
)
TRAILING = re.compile(
    r"(?:[\s,]+(?:please|for me|for us|thanks|thank you|now|right now|if you can|"
    r"if you could|would you|could you|ok|okay|then|for (?:a )?(?:sec|second|moment|minute)|"
    r"for a bit))+$"
)
# a verb as people say it -> the action it asks (the device's kind decides the service)
ACTION_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "turn on",
            "switch on",
            "put on",
            "power on",
            "on",
            "enable",
            "fire up",
            "boot up",
            "start up",
            "power up",
        ),
        "on",
    ),
    **dict.fromkeys(
        (
            "turn off",
            "switch off",
            "shut off",
            "power off",
            "off",
            "kill",
            "cut",
            "disable",
            "turn out",
            "put out",
            "out",
        ),
        "off",
    ),
    **dict.fromkeys(("open", "opens", "raise", "lift", "roll up", "pull up", "up"), "open"),
    **dict.fromkeys(("close", "shut", "lower", "roll down", "pull down", "draw", "down"), "close"),
    **dict.fromkeys(("lock", "lock up", "secure", "bolt"), "lock"),
    **dict.fromkeys(("unlock", "unbolt", "unlatch"), "unlock"),
    **dict.fromkeys(("disarm",), "disarm"),
    **dict.fromkeys(("arm",), "arm"),
    **dict.fromkeys(
        ("start", "run", "activate", "launch", "trigger", "begin", "get going", "kick off"),
        "start",
    ),
    **dict.fromkeys(("stop", "end", "cancel"), "stop"),
    # a player's own verbs: "pause the telly", "play it again", "carry on"
    **dict.fromkeys(("pause",), "pause"),
    **dict.fromkeys(
        ("play", "resume", "unpause", "continue", "carry on", "keep playing", "play again"),
        "play",
    ),
    **dict.fromkeys(
        ("send home", "go home", "dock", "send back", "return", "go back", "go to the dock"),
        "home",
    ),
}
# any verb of ACTION_WORDS, the longest first ("turn off" before "off")
ACTION_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(ACTION_WORDS, key=len, reverse=True)) + r")\b"
)
# "turn X up/down", "X up/down": brighter for a light, louder for a player, warmer for a
# thermostat, open/close for a blind (ACTION_WORDS' "up"/"down" are those of a blind)
# "up" that belongs to another verb ("fire up the telly" turns it on)
NOT_A_STEP = re.compile(r"\b(fire|boot|start|power|pick|warm|heat|set|lock|roll|pull) up\b")
STEP_UP = re.compile(
    r"\b(turn (?:\w+ ){0,4}up|turn up|up a bit|up a little|crank up|bump up|increase|raise)\b"
)
STEP_DOWN = re.compile(
    r"\b(turn (?:\w+ ){0,4}down|turn down|down a bit|down a little|decrease|reduce|lower|drop)\b"
)

# relative and vague requests
WARMER = re.compile(
    r"\b(warmer|hotter|warm (?:it |things )?up|heat (?:it |things )?up|more heat|"
    r"(?:i'?m|i am|we'?re|we are|it'?s|it is|feels?|getting|so|too|bit|little|kinda|"
    r"freezing|cold)\s+(?:\w+\s+)?(?:cold|freezing|chilly|frozen)|"
    r"(?:cold|freezing|chilly) in here|freezing|chilly|"
    r"like (?:a |an |the )?(?:fridge|freezer|icebox|igloo|arctic|north pole))\b"
)
COOLER = re.compile(
    r"\b(cooler|colder|cool (?:it |things )?down|less heat|"
    r"(?:i'?m|i am|we'?re|we are|it'?s|it is|feels?|getting|so|too|bit|little|kinda)\s+"
    r"(?:\w+\s+)?(?:hot|warm|boiling|roasting|stuffy|sweltering|sweaty)|"
    r"(?:hot|warm|stuffy|boiling) in here|boiling|roasting|sweltering|"
    r"like (?:a |an |the )?(?:oven|sauna|furnace|greenhouse|desert))\b"
)
BRIGHTER = re.compile(
    r"\b(brighter|brighten(?: up)?|lighter|more light|(?:too|so|very|bit|quite|rather) "
    r"dark|dark in here|can'?t see|gloomy)\b"
)
# "it's too dark", "more light", "lights please", "so gloomy": the room's lights wanted, the
# off ones switched on too (a plain "brighter" steps the lit ones: DESIGN-NOTES)
MORE_LIGHT = re.compile(
    r"\b(?:more light|(?:too|so|very|bit|quite|rather) (?:dark|gloomy)|dark in here|gloomy|"
    r"can'?t see|lights? please)\b"
)
DIMMER = re.compile(
    r"\b(dimmer|dim(?: down)?|darker|less light|less bright|(?:too|so|very|bit|quite|rather) "
    r"bright|bright in here|glaring)\b"
)
LOUDER = re.compile(
    r"\b(louder|(?:too|so|very|bit) quiet|can'?t hear|volume up|more volume|"
    r"(?:turn|crank|pump|bump) up the (?:volume|sound)|"
    r"(?:raise|increase) the (?:volume|sound)|(?:volume|sound) up)\b"
)
QUIETER = re.compile(
    r"\b(quieter|softer|(?:too|so|very|bit) loud|volume down|less volume|"
    r"(?:turn) down the (?:volume|sound)|(?:lower|decrease|reduce) the (?:volume|sound)|"
    r"(?:volume|sound) down|keep it down)\b"
)
TEMPERATURE_WORDS = re.compile(
    r"\b(degrees?|temperature|temp|heating|heat|heater|thermostat|thermostats|warm|warmer|"
    r"hot|hotter|cool|cooler|cold|colder|freezing|chilly|boiling|stuffy)\b"
)
# "it's dark in here", "pitch black in the hall": the lights on (a room already lit but not
# enough is "too dark", a step brighter)
LIGHTS_ON = re.compile(
    r"\b(?:it'?s|it is|getting)\s+(?:pitch\s+)?(?:dark|black)\b|\bpitch (?:black|dark)\b"
    r"|(?:'s|\bis) (?:so |really |very )?dark (?:as anything|as night|in here)\b"
)
# "get some air moving": a fan on, whatever is said about the heat around it
AIR = re.compile(
    r"\b(?:get|move|need|want)\s+(?:some\s+|the\s+)?(?:fresh\s+)?air\b|\bair\s+(?:moving|going|"
    r"flowing|circulating)\b"
)
# "send Rover back to its base": home, for a vacuum
TO_BASE = re.compile(
    r"\b(?:back\s+)?to\s+(?:its|the|his|her|their)\s+(?:base|dock|charger|charging station)\b|"
    r"\bto base\b"
)
# an acknowledgement that asks for nothing: "ok, leave it then", "never mind", "that's fine"
ACK = re.compile(
    r"^(?:leave (?:it|them|that)(?: (?:as it is|like that|be|on|off))?|let it be|forget it|"
    r"never ?mind|no worries|no need|don't bother|that'?s (?:fine|ok|okay|all)|all good|"
    r"ok|okay|fine|alright|no thanks?(?: you)?|not now)$"
)
# what the temperature is outside: the home's outdoor sensor, else its weather
OUTSIDE = re.compile(
    r"^(?:how (?:cold|hot|warm|chilly) is it|what(?:'s| is) (?:the )?(?:temperature|temp)|"
    r"what temperature is it|how (?:cold|hot|warm) is it getting)\s+(?:outside|outdoors|out there)$"
)
# "what's the office thermostat set to?": a device's setting, not its reading
SETTING = re.compile(
    r"^(?:what(?:'s| is)|what temperature is)\s+(?:the\s+|my\s+)?(.+?)\s+set\s+(?:to|at)"
    r"(?:\s+(?:at the moment|right now|now|currently|today|these days))?$"
    r"|^what(?:'s| is) (?:the\s+|my\s+)?(.+?) at(?:\s+(?:the moment|right now|now))?$"
    r"|^what(?:'s| is) the (?:volume|brightness|temperature|setting) (?:on|of|for) "
    r"(?:the\s+|my\s+)?(.+?)(?:\s+(?:at the moment|right now|now|currently))?$"
)
# what a thermostat reads: "what temperature is the office thermostat reading?"
READING = re.compile(
    r"^(?:(?:what(?:'s| is)|what temperature is|how (?:warm|cold|hot) is)\s+(?:the\s+|my\s+)?(.+?)"
    r"\s+(?:reading|showing|saying|measuring)"
    r"|(?:how (?:warm|cold|hot)|what temperature) is it (?:on|by|according to|at|in) "
    r"(?:the\s+|my\s+)?(.+?))"
    r"(?:\s+(?:at the moment|right now|now|currently))?$"
)
# a window covering said as one ("open the curtain") where there are several: which one?
ONE_COVERING = re.compile(
    r"\b(?:the|that|this)\s+(?:\w+\s+)?(?:curtain|blind|shade|drape|shutter|roller blind)\b"
    r"(?!s)"
)
# "turn off one light in the bedroom": one of several, asked about ("one" is read as a digit)
ONE_OF = re.compile(r"\b(?:one|1|a single|just one)\s+(?:of\s+(?:the|my|our)\s+)?[a-z]")
ADJUST = re.compile(r"\b(change|adjust|alter|modify|fix|tweak)\b")
SMALL = re.compile(r"\b(a (?:tiny |little )?bit|a little|slightly|a touch|a tad|somewhat)\b")
EVERYTHING = re.compile(
    r"\b(everything|all the (?:things|devices|stuff)|all devices|every device|the whole "
    r"(?:house|home|place|lot)|it all|all of it)\b"
)
ALL = re.compile(r"\b(all|every|each)\b")
HERE = re.compile(r"\b(in here|here|(?:in |of )?(?:this|the|my|our) room)\b")
# the whole home said as a place: "the lights in the house", "at home"
WHOLE_HOME = re.compile(
    r"\b(?:in|at|around|throughout|across) (?:the|my|our) (?:whole )?(?:house|home|flat|apartment)\b|"
    r"\b(?:at|around the) home\b"
)
# a time said: the hub does things now, not later, by voice ("in an hour", "at 4 pm")
LATER = re.compile(
    r"\b(?:in (?:an?|\d+|half an?) (?:hour|hours|minute|minutes|min|mins|second|seconds)|"
    r"at \d+(?::\d+)?\s*(?:am|pm|o'?clock)|at (?:noon|midnight)|tomorrow|tonight|later on|"
    r"during the (?:day|night)|every (?:day|night|morning|evening))\b"
)
# "make sure the kitchen light is off": the state asked for, as a request
MAKE_SURE = re.compile(
    r"^(?:make sure|ensure)\s+(?:that\s+)?(.+?)\s+(?:is|are)\s+(on|off|closed|shut|locked)$"
)
# a remark that a device is (still, left) on: "someone left the office light on", "the
# light's still on", "the TV is on and no one's watching": the state word is no verb, and
# the remark asks for the device off (never on); "leave the light on" is a request, kept
LEFT_ON = re.compile(r"\b(?:left|forgot to (?:turn|switch) off) (.+?) on\b")
STILL_ON = re.compile(
    r"(?:'s|\s+(?:is|are|was|were))(?:\s+(?:still|left|been left|already|all|again))*\s+"
    r"(?:on|blazing|on full|burning)\b"
    r"|\s+(?:still|been left|left) on\b"
)
# floors as people say them, to the floor they most often mean: a floor with that name or
# alias wins; else the ground floor for "downstairs", the floors above it for "upstairs"
DOWNSTAIRS = re.compile(r"\b(downstairs|down stairs|ground floor)\b")
UPSTAIRS = re.compile(r"\b(upstairs|up stairs)\b")
HELP = re.compile(
    r"^(help(?: me)?|what (?:can|do) you do(?: for me| here)?|what can i (?:say|ask)(?: you)?|"
    r"what are you able to do|what do you know|how do (?:i|you) work|what commands .*|"
    r"what can you help (?:me )?with|what are you able to help (?:me )?with|how can you help(?: me)?|what are your (?:skills|options))$"
)
# "is the X open", "are the lights on in the kitchen": the device, its state, a place after
# small talk that ends or closes a conversation: "OK, thanks, that's all", "nothing, just
# checking. Ta!": answered kindly, nothing done
_CHAT = (
    r"(?:ok|okay|alright|fine|great|perfect|lovely|brilliant|cool|good|no|nope|oh|right|"
    r"thanks?(?: you)?(?: (?:very|so) much)?|thank you|cheers|ta|"
    r"that'?s (?:great|perfect|lovely|all|it|everything|fine)|that will be all|"
    r"nothing(?: else)?|not really|just checking|i'?m good|we'?re good|all good|"
    r"bye|goodbye|see you(?: later)?|night)"
)
_CLOSING = (
    r"(?:thanks?(?: you)?(?: (?:very|so) much)?|thank you|cheers|ta|that'?s (?:all|it|everything)|"
    r"that will be all|nothing(?: else)?|just checking|bye|goodbye|see you(?: later)?|"
    r"that'?s (?:great|perfect|lovely))"
)
# a cup wished for, not a device named: "I could really do with a coffee", "fancy a brew?"
COFFEE_WISH = re.compile(
    r"^(?:.*\b(?:dying for|gagging for|desperate for|could murder)|"
    r"i could (?:really |murder |just )?do with|i (?:really )?(?:need|fancy|want|could murder)|"
    r"i'?d (?:love|like|kill for)|(?:can|could|may) i (?:have|get)|get me|how about|time for|"
    r"fancy|(?:make|brew) (?:me |us )?)"
    r" (?:a |an |some |another |my )?(?:cup of |mug of |fresh |morning )?"
    r"(?:coffee|espresso|latte|americano|cappuccino|flat white|cup of joe)\b"
)
# gentler light: "make the bedroom lights a little softer"
SOFTER = re.compile(r"\b(?:softer|less harsh|gentler|cosier|cozier|mellower)\b")
# who is in: the home's people (person entities, as Home Assistant has them)
WHO_HOME = re.compile(
    r"^(?:who(?:'s| is| are)|is (?:anyone|anybody|someone|somebody|everyone|everybody)|"
    r"are (?:the kids|we all|you alone)) (?:at home|home|in(?: the house)?|here)"
    r"(?: (?:at the moment|right now|now|today|yet))?$"
)
# where one of the home's people is: "where's Ada at the moment?"
WHERE_IS = re.compile(
    r"^where(?:'s| is) ([a-z][a-z' -]*?)(?: at the moment| right now| now| today)?$"
)
# how humid it is: the home's humidity sensors, the room's first
HUMIDITY = re.compile(
    r"^(?:how (?:humid|damp|muggy) is it|what(?:'s| is) the humidity)(?: (?:in|at) (?:the )?(.+?))?"
    r"(?: right now| now| at the moment)?$"
)
HELLO = re.compile(
    r"^(?:hi|hiya|hello|hey|howdy|morning|evening|good (?:morning|afternoon|evening)"
    r"|you there|are you there|anyone there|you awake|are you awake|are you listening"
    r"|how are you(?: doing)?(?: today)?|how'?s it going)"
    r"(?:[ ,!?.]+(?:you (?:awake|there|up)|are you (?:there|awake|listening|up)|"
    r"how are you(?: doing)?(?: today| this morning| tonight)?|how'?s it going|there))*[?!.]?$"
)
THANKS = re.compile(rf"^(?:{_CHAT}[ ,.!]+)*{_CLOSING}(?:[ ,.!]+{_CHAT})*[.!]?$")
QUESTION = re.compile(
    r"^(?:is|are)\s+(?:the\s+|my\s+|any\s+(?:of\s+the\s+)?)?(.+?)\s+(?:still\s+)?"
    r"(on|off|open|closed|shut|locked|unlocked|running|playing|going|doing anything)"
    r"(?:\s+(?:right now|now|at the moment))?"
    r"((?:\s+(?:in|on|at|upstairs|downstairs)\b.*)?)$"
)
STATE_WORDS = {
    "on": "on", "off": "off", "open": "open", "closed": "closed", "shut": "closed",
    "locked": "locked", "unlocked": "unlocked", "running": "on", "playing": "playing",
    "going": "on", "doing anything": "on",
}  # fmt: skip
VOLUME = re.compile(r"\b(?:volume|sound|loudness)\b")
AMOUNT = re.compile(r"\b(?:by|to) (\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:degrees?|deg|percent|%)")
ORDINALS = {"first": 0, "second": 1, "third": 2, "1st": 0, "2nd": 1, "3rd": 2, "last": -1}
BOTH = re.compile(r"\b(both|all of them|each of them|all|them all|either)\b")
UP_ANSWER = re.compile(r"\b(warmer|hotter|up|higher|raise|increase|more|warm|heat)\b")
DOWN_ANSWER = re.compile(r"\b(cooler|colder|down|lower|decrease|less|cool|cold)\b")


# "would you mind closing the blinds": the verb after "mind" is said as its -ing form
GERUNDS = {
    "turning": "turn", "switching": "switch", "closing": "close", "opening": "open",
    "shutting": "shut", "locking": "lock", "unlocking": "unlock", "running": "run",
    "starting": "start", "stopping": "stop", "setting": "set", "putting": "put",
    "dimming": "dim", "pausing": "pause", "playing": "play", "activating": "activate",
    "raising": "raise", "lowering": "lower", "sending": "send", "making": "make",
    "bolting": "bolt", "resuming": "resume", "brightening": "brighten", "killing": "kill",
    "drawing": "draw", "pulling": "pull", "rolling": "roll", "powering": "power",
    "getting": "get", "giving": "give", "cranking": "crank", "muting": "mute",
}  # fmt: skip


def clean(text: str) -> str:
    """Lower case, numbers as digits, no punctuation but apostrophes, the framing taken off:
    "Could you please put the telly on for me?" -> "put the telly on"."""
    said = words_to_digits(text.replace("\u2019", "'").replace("%", " percent"))
    said = " ".join(said.split())
    # "the right-hand curtain": the right one
    said = re.sub(r"\b(left|right)[- ]hand(?:ed)?\b", r"\1", said, flags=re.I)
    previous = None
    while previous != said:  # "hey, can you please ..." has framing in layers
        previous = said
        framed = FRAMING.match(said)
        if framed is not None and framed.end() > 0:
            said = said[framed.end() :].strip()
            if re.search(r"\bmind\s*$", framed.group(0)):
                first, _, after = said.partition(" ")
                said = f"{GERUNDS.get(first, first)} {after}".strip()
        said = TRAILING.sub("", said).strip()
    return said


# "switch it off", "switch the TV on": the verb, not a switch
SWITCH_VERB = re.compile(
    r"^switch\b|(?<=\band )switch\b|(?<=\bthen )switch\b|(?<=\bplease )switch\b|"
    r"\bswitch(?=\s+(?:on|off|it|them|that|this|those|these|everything|all|the|my|our|over|back)\b)"
)


def kinds_in(text: str) -> list[str]:
    """The kinds of device a sentence names, in the order said."""
    return [KIND_WORDS[m.group(1)] for m in KIND_PATTERN.finditer(SWITCH_VERB.sub(" ", text))]
