"""Wording: how people write what ``mapgen import`` reads, in journey maps made by hand.

The words of a Feeling row and how they are made stronger, milder or mixed; the words of a
touchpoint's name that say its channel, in the languages mapgen's site speaks; what
templates leave in an empty cell; and the labels of a line that sums the steps up. Kept
apart from :mod:`mapgen.importer`, which reads files, since they grow with every real
sheet seen and say nothing of how a file is read.
"""

from __future__ import annotations

import re

#: Words people put in a Feeling row, on the default scale -2..2.
FEELINGS = {word: score for score, words in {
    -2: ("furious", "frustrated", "very frustrated", "awful", "terrible", "very unhappy",
         "very sad", "angry", "desperate", "panicked", "panicking",
         "distressed", "outraged", "livid", "hopeless", "miserable", "fed up", "hate",
         "hates it", "😡", "😠", "😣", "😫", "😭", "😤"),
    -1: ("unhappy", "worried", "confused", "annoyed", "anxious", "negative", "sad",
         "disappointed", "uneasy", "stressed", "nervous", "impatient", "irritated",
         "lost", "unsure", "uncertain", "doubtful", "sceptical", "skeptical", "hesitant",
         "concerned", "bored", "tired", "overwhelmed", "overloaded", "suspicious", "insecure",
         "impatience", "frustration", "embarrassed", "scared", "afraid", "fearful",
        "apprehensive", "cautious", "rushed", "stuck", "ignored", "let down", "upset",
        "helpless", "powerless", "pressured", "exhausted", "sceptic", "skeptic", "doubt",
        "🙁", "😟", "😕", "☹️", "😞", "😒", "😩", "😔", "😥", "😰", "😓", "😬", "🤨", "👎"),
    0: ("neutral", "ok", "okay", "fine", "meh", "indifferent", "mixed", "calm",
        "surprised", "unsure but ok", "so-so", "ambivalent", "thoughtful", "focused",
        "pensive", "😐", "😶", "😑", "🤔", "😮"),
    1: ("happy", "pleased", "good", "positive", "satisfied", "hopeful", "relieved",
        "curious", "confident", "reassured", "interested", "engaged", "optimistic",
        "comfortable", "content", "motivated", "trusting", "welcomed", "informed",
        "in control", "glad", "eager", "relaxed", "safe", "secure", "valued",
        "amused", "anticipation", "expectant", "encouraged", "appreciated", "supported",
        "pleasantly surprised", "🙂", "😊", "😌", "👍"),
    2: ("excited", "delighted", "thrilled", "very happy", "great", "love", "loves it",
        "proud", "ecstatic", "amazed", "elated", "overjoyed", "empowered", "grateful",
        "impressed", "enthusiastic", "inspired", "joyful", "accomplished",
        "😄", "😀", "😃", "🤩", "😍", "🥳", "😁", "🎉", "❤️"),
}.items() for word in words}

#: The same words as German, French, Spanish and Japanese maps write them (both genders).
FEELINGS |= {word: score for score, words in {
    -2: ("frustriert", "wütend", "verärgert", "frustré", "frustrée", "énervé", "énervée",
         "en colère", "furieux", "furieuse", "frustrado", "frustrada", "enojado",
         "enojada", "furioso", "furiosa", "イライラ", "怒り"),
    -1: ("verwirrt", "genervt", "besorgt", "unsicher", "enttäuscht", "gestresst",
         "inquiet", "inquiète", "hésitant", "hésitante", "perdu", "perdue", "confus",
         "confuse", "stressé", "stressée", "déçu", "déçue", "agacé", "agacée", "triste",
         "impatient", "impatiente", "confundido", "confundida", "preocupado", "preocupada",
         "ansioso", "ansiosa", "decepcionado", "decepcionada", "molesto", "molesta",
         "inseguro", "insegura", "不安", "困惑", "不満"),
    0: ("neutre", "calme", "normal", "tranquilo", "tranquila", "普通"),
    1: ("neugierig", "zufrieden", "glücklich", "erleichtert", "curieux", "curieuse",
        "content", "contente", "heureux", "heureuse", "soulagé", "soulagée", "rassuré",
        "rassurée", "satisfait", "satisfaite", "confiant", "confiante", "curioso",
        "curiosa", "contento", "contenta", "feliz", "satisfecho", "satisfecha", "aliviado",
        "aliviada", "満足", "嬉しい", "楽しい", "安心", "期待"),
    2: ("begeistert", "ravi", "ravie", "enthousiaste", "emocionado", "emocionada",
        "encantado", "encantada", "感動"),
}.items() for word in words}

#: Between the feelings of a cell that names several ("Confident + slightly anxious",
#: "Worried → relieved").
_FEELINGS_APART = re.compile(
    r"\s+\+\s+|\s*(?:[/&,;|]|->|=>|→|⇒|>)\s*|\s+(?:and|but|yet|then|to)\s+")
#: An emoji (with its modifiers): a feeling of its own beside the words of a cell
#: ("😟 Worried"), or mere decoration when the vocabulary does not know it.
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2764]"
                    "[\uFE0F\u200D\U0001F3FB-\U0001F3FF]*")
#: What a cell or a header says besides what it names: "(wants it quick)", "[Source]".
ASIDE = re.compile(r"\s*(?:\([^)]*\)|\[[^\]]*\]|（[^）]*）)")
#: Before a feeling: more of it, or less.
_STRONGER = re.compile(r"^(?:very|really|extremely|super|so|totally|highly|deeply|quite)\s+")
_MILDER = re.compile(r"^(?:slightly|a bit|a little|a little bit|somewhat|mildly|kind of|"
                     r"kinda|rather|fairly|bit)\s+")


def feeling(text: str, words: dict[str, int]) -> int | None:
    """The score of feelings as people write them in a journey map's emotion row:
    "Anxious+", "Confident++" and "very anxious" (stronger), "slightly anxious" (milder),
    and several at once, "Confident + slightly anxious", whose scores are averaged; None
    when a word of it is not a feeling it knows."""
    scores = []
    for part in _parts(text, words):
        stronger = len(part) - len(part.rstrip("+!")) + bool(_STRONGER.match(part))
        milder = bool(_MILDER.match(part))
        word = _MILDER.sub("", _STRONGER.sub("", part.rstrip(" +!"))).strip()
        score = words.get(word)
        if score is None:
            return None
        if score and stronger:
            score = max(-2, min(2, score + (stronger if score > 0 else -stronger)))
        if milder and abs(score) > 1:
            score //= 2  # a little furious is still upset, not neutral: -2 -> -1
        scores.append(score)
    if not scores:
        return None
    mean = sum(scores) / len(scores)
    return int(mean + (0.5 if mean > 0 else -0.5)) if mean % 1 else int(mean)


def _parts(text: str, words: dict[str, int]) -> list[str]:
    """The feelings a cell names, apart: its emoji each a feeling where known (else left
    out, when words remain), its asides left out."""
    parts = []
    for part in _FEELINGS_APART.split(ASIDE.sub("", text).strip(" .")):
        emoji = _EMOJI.findall(part)
        rest = _EMOJI.sub(" ", part).strip()
        known = [e for e in emoji if e in words or e.rstrip("\uFE0F") in words]
        parts += [e if e in words else e.rstrip("\uFE0F") for e in known]
        if rest.strip(" +!.") or not known and emoji:
            parts.append(rest if rest.strip(" +!.") else part)
    return [" ".join(p.split()) for p in parts if p.strip(" +!.")]


#: Words in a touchpoint's name that say its channel, for sheets with no channel column
#: (also as German, French, Spanish and Japanese sheets write them).
CHANNEL_HINTS = {
    "email": {"email", "e", "mail", "newsletter", "inbox", "mails", "emails", "courriel",
              "correo", "メール"},
    "app": {"app", "apps", "mobile", "ios", "android", "push", "appli", "application",
            "aplicación", "アプリ"},
    "web": {"website", "web", "site", "page", "webpage", "online", "portal", "browser",
            "checkout", "search", "google", "landing", "dashboard", "platform", "login",
            "wiki", "form", "saas", "intranet", "blog", "forum", "reviews", "webseite",
            "internetseite", "sitio",
            "página", "pagina", "ウェブ", "サイト"},
    "sms": {"sms", "text message", "texting", "mms"},
    "social": {"social", "instagram", "facebook", "twitter", "linkedin", "tiktok",
               "youtube", "ad", "ads", "influencer", "reddit", "werbung", "publicité",
               "anuncio"},
    "phone": {"phone", "call", "calls", "hotline", "telephone", "ivr", "video", "zoom",
              "voicemail", "telefon", "anruf", "téléphone", "appel", "teléfono", "llamada",
              "電話"},
    "chat": {"chat", "chatbot", "whatsapp", "messenger", "bot", "チャット"},
    "store": {"store", "shop", "branch", "counter", "till", "kiosk", "pos", "person",
              "office", "visit", "reception", "onsite", "desk", "tour", "showroom", "laden",
              "filiale", "geschäft", "magasin", "boutique", "agence", "comptoir", "accueil",
              "guichet", "tienda", "sucursal", "mostrador",
              "店舗", "店頭", "窓口"},
    "sales": {"sales", "salesperson", "rep", "account", "demo", "vertrieb", "verkauf",
              "vente", "ventas"},
    "post": {"post", "letter", "mail", "brochure", "leaflet", "parcel", "brief", "courrier",
             "carta", "postcard", "郵便"},
}
#: Words of a touchpoint's name that say less than the others: "Facebook post" is social,
#: "Self-checkout kiosk" a store's, "Help text on checkout page" the website's.
WEAK_HINTS = frozenset({"post", "page", "ad", "ads", "checkout", "form", "search", "online",
                        "mail", "office", "visit", "person", "account", "e"})
#: Media no default channel is: a "TV ad" is not social media. Such a touchpoint is kept
#: for its channel to be declared, unless a stronger word tells one ("TV ad on YouTube").
NO_CHANNEL = frozenset({"tv", "television", "radio", "billboard", "podcast", "newspaper",
                        "magazine", "cinema", "fernsehen", "télé", "télévision",
                        "televisión", "テレビ"})


def told_channel(line: str, channels: set[str]) -> str | None:
    """The channel (of ``channels``) the words of a touchpoint's name tell, whole words
    (or phrases: "text message") only; a word of :data:`WEAK_HINTS` only where no other
    tells one, and none for a medium of :data:`NO_CHANNEL`."""
    words = _stems(line)
    phrase = f" {' '.join(words)} "
    told = {channel: {h for h in hints if f" {' '.join(_stems(h))} " in phrase or
                      ord(h[0]) >= 0x3000 and h in line}  # CJK has no spaces: within
            for channel, hints in CHANNEL_HINTS.items() if channel in channels}
    strong = next((c for c, found in told.items() if found - WEAK_HINTS), None)
    if strong or NO_CHANNEL & set(words):
        return strong
    return next((c for c, found in told.items() if found), None)


#: A feeling written as signs alone, on the default scale. ``-`` and ``--`` are also what
#: templates leave in an empty cell: they are read as signs only in a sheet whose feeling
#: cells use ``+`` or ``++`` too (see :func:`scores_with_signs`).
SIGNS = {"++": 2, "+": 1, "-": -1, "--": -2}


def scores_with_signs(texts: list[str]) -> bool:
    """Whether a sheet's feeling cells are written as signs: some cell is ``+`` or
    ``++`` (a lone ``-`` is otherwise an empty cell)."""
    return any(text.strip() in ("+", "++") for text in texts)


def _stems(text: str) -> list[str]:
    """The words of ``text`` as compared: lower case, a plural's "s" off ("Emails")."""
    return [w.removesuffix("s") if len(w) > 3 else w for w in re.findall(r"\w+", text.casefold())]


#: What templates leave in a cell with nothing to say: the cell is read as empty.
PLACEHOLDERS = frozenset({"-", "--", "—", "–", "n/a", "na", "none", "tbd", "tba", "?",
                          "...", "…"})


#: Labels of a row (or column) that sums the steps up rather than being one.
SUMMARIES = frozenset({"total", "totals", "sum", "average", "averages", "avg", "mean",
                       "median", "summary", "overall", "average feeling", "average score",
                       "average emotion", "mean score", "gesamt", "durchschnitt", "moyenne",
                       "promedio", "合計", "平均"})
