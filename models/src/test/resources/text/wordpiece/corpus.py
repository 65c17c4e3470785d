"""The texts the WordPiece tokenizer is tested on (imported by generate_reference.py)."""
import random

HAND = [
    "", " ", "   ", "\t", "\n", "\r\n", " \t\n\r ", "\u00a0", "\u3000\u2003", "\u200b",
    "hello world", "Hello World!", "HELLO, WORLD.", "hello\tworld", "hello\nworld", "hello\r\nworld",
    "  leading and trailing spaces  ", "multiple     spaces   between", "a", "A", "I", "?", "!!!", "...",
    "footsteps on gravel", "wooden door slams shut", "glass shatters on a tile floor",
    "heavy rain on a tin roof", "a dog barks twice in the distance", "crackling campfire at night",
    "footsteps on gravel, slow and heavy", "Footsteps on wet grass; then a splash.",
    "car engine revving, tires screeching (close-up)", "thunder rumbles; wind howls through trees",
    "a cat meows - a door creaks open - silence", "keyboard typing, mouse clicks, office ambience",
    "sword unsheathed: metallic ring!", "horse hooves on cobblestones [distant]",
    "water dripping into a bucket {echo}", "paper rustling <soft>", "zipper being pulled up/down",
    "ice cubes clinking in a glass", "a crowd cheering at a stadium", "helicopter flying overhead",
    "a man whispers: \"don't move\"", "She said, 'it's fine.'", "it's", "don't", "rock'n'roll",
    "o'clock", "the dog's bone", "James' car", "can't won't shouldn't", "“smart quotes” and ‘single’",
    "well-known state-of-the-art self-driving", "x-ray", "e-mail", "--flag", "a—b–c", "1-2-3",
    "under_score snake_case_name", "CamelCaseWord", "iPhone", "MacBookPro", "eBay",
    "https://example.com/path?q=foley&lang=en#top", "http://www.foley4j.io/docs/index.html",
    "mailto:someone@example.org", "user@example.com", "C:\\Windows\\System32", "/usr/local/bin/java",
    "#hashtag @mention $100 50% ^caret &amp; *star*", "~tilde `backtick` |pipe| +plus= <less>",
    "0", "123", "3.14159", "1,000,000", "1e-9", "-42", "+7", "2024-06-01", "12:30:45", "v1.2.3",
    "48kHz 16-bit stereo", "120 BPM", "24fps", "1/2 1/4 3/4", "½ ¼ ¾", "10×20", "5÷2", "±3dB",
    "100°C", "€50 £30 ¥1000 ₹200 ₿", "№5", "§12 ¶3", "©2024 ®™", "1st 2nd 3rd 4th",
    "café", "naïve", "Ångström", "résumé", "Crème brûlée", "façade", "jalapeño", "Zürich", "São Paulo",
    "Ærøskøbing", "Łódź", "Dvořák", "İstanbul", "straße", "STRASSE", "Ǆemal", "ΣΊΣΥΦΟΣ", "Ελληνικά",
    "ΑΒΓΔ αβγδ", "Москва", "ПРИВЕТ мир", "Україна", "Ђорђе", "עברית", "العربية", "مرحبا بالعالم",
    "हिन्दी", "বাংলা", "தமிழ்", "ภาษาไทย", "Tiếng Việt", "ქართული", "Հայերեն", "አማርኛ",
    "e\u0301", "n\u0303", "a\u0308o\u0308u\u0308", "\u0301", "x\u0300\u0301\u0302y",
    "中文", "你好，世界！", "我喜欢吃苹果。", "北京欢迎你", "雨が降っている", "東京タワー",
    "ひらがな", "カタカナ", "こんにちは世界", "ｶﾀｶﾅ", "ﾊﾝｶｸ", "한국어", "안녕하세요 세계",
    "빗소리가 들린다", "漢字とかなとカナ", "中文English混合", "abc中def文ghi", "日本語のテキスト、句読点。",
    "𠀀𠀁 𪜀 𫝀 𫠠 𬺰 𰀀 丽", "㐀㐁 䶵", "豈 更", "⺀⺁ ⼀",
    "😀", "😀😃😄", "👍", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "❤\ufe0f", "☕ coffee",
    "🔥 fire crackling 🔥", "🇫🇷🇩🇪", "🥲🫠", "emoji😀inside", "♪ music ♫", "★☆", "→←↑↓", "∑∏∫√∞≈≠",
    "a\u0000b", "a\u0001b\u0002c", "a\x7fb", "\x1b[31mred\x1b[0m", "a\u0085b", "a\ufffdb", "\ufffd",
    "a\u200bb", "a\u200cb\u200dc", "\ufeffBOM start", "a\u00adb", "soft\u00adhyphen", "\u202eright-to-left",
    "line\u2028separator", "para\u2029separator", "vertical\u000btab", "form\u000cfeed", "x\u001cy\u001fz",
    "private\ue000use", "\U000f0000", "tag\U000e0041\U000e007f", "\u0378\u0379",
    "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]", "hello [MASK] world", "[cls] lower", "[UNK][UNK]",
    "a[SEP]b", "[[MASK]]", "[MASK", "MASK]", "x[CLS]", "[CLS] [SEP]",
    "##", "##ing", "un##known", "#", "##a##b",
    "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "Pack my box with five dozen liquor jugs!", "How vexingly quick daft zebras jump?",
    "antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcanoconiosis",
    "supercalifragilisticexpialidocious", "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
    "unbelievably", "tokenization", "WordPiece", "embeddings", "transformers", "ONNX", "Foley4J",
    "xyzzy plugh", "qwertyuiop", "zzzzzzzzzz", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "café-au-lait, s'il vous plaît!", "¿Dónde está la biblioteca?", "¡Hola!", "«guillemets»",
    "„Anführungszeichen“", "Größe", "ÉCOLE", "œuvre Œuvre", "ﬁne ﬂow", "Ⅻ ⅻ", "①②③", "㈱", "㎞",
    "ｆｕｌｌｗｉｄｔｈ", "ＡＢＣ１２３", "（全角括弧）", "「鉤括弧」", "【見出し】", "・", "〜",
    "tab\tseparated\tvalues", "semi;colon:separated,values", "key=value&other=1", "a.b.c.d",
    "...ellipsis…", "dash—em–en", "bullet • point", "·middle dot·", "‰ ‱", "′ ″ ‴",
    "Mr. Smith went to Washington D.C. in Jan. 2020.", "U.S.A.", "e.g. i.e. etc.",
    "snake_case_with_numbers_123", "0x1F600", "#FF00AA", "sha256:abcdef0123456789",
    "$ ls -la | grep foo > out.txt", "if (a && b || !c) { return; }", "print('hello')",
    "SELECT * FROM sounds WHERE tag = 'rain';", "<div class=\"x\">hi</div>", "{\"json\": [1, 2, 3]}",
    "whoosh", "thud", "clang", "creak", "sizzle", "rustle", "splash", "crunch", "swoosh", "boom",
    "a\u0130b", "\u0130I\u0131i", "ǅ ǈ ǋ", "ß ẞ", "Ω Å K", "ﬀ ﬃ", "µ μ", "ſ", "ʼn",
]


def generated(rng: random.Random):
    out = []
    # very long words around max_input_chars_per_word (100 code points)
    for n in (99, 100, 101, 150):
        out.append("a" * n)
    out.append("b" * 100 + " short")
    out.append("é" * 100)            # 100 code points before and after NFD (the accent is dropped)
    out.append("😀" * 60)            # 60 code points, 120 UTF-16 units
    out.append("😀" * 101)
    out.append("x" + "😀" * 99)
    out.append("abc" * 40)
    out.append("-".join(["word"] * 40))
    # long inputs: more than 512 tokens after WordPiece
    words = ("footsteps gravel wooden door slams shut rain thunder glass shatters metallic clang "
             "distant crowd murmur wind howls engine revving tires screeching birds chirping").split()
    for n in (200, 600, 1200):
        out.append(" ".join(rng.choice(words) for _ in range(n)))
    out.append("，".join("雨声" for _ in range(300)))
    out.append(" ".join(str(i) for i in range(700)))
    out.append("!" * 600)
    # random words from mixed alphabets
    alphabets = ["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789",
                 "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ", "αβγδεζηθικλμνξοπρστυφχψω", "абвгдежзийклмнопрстуфхцчшщъыьэюя",
                 "あいうえおかきくけこ", "アイウエオカキクケコ", "가나다라마바사아자차", "的一是不了人我在有他",
                 ".,;:!?'\"()[]{}-_/\\@#$%^&*+=<>~`|", "😀😂🥰👍🎵🔥🌧️⚡"]
    for i in range(80):
        k = rng.randint(1, 12)
        ws = []
        for _ in range(k):
            a = rng.choice(alphabets) + rng.choice(alphabets)
            ws.append("".join(rng.choice(a) for _ in range(rng.randint(1, 9))))
        out.append(rng.choice([" ", "  ", "\t", "\n", ""]).join(ws))
    return out


def sweeps(punct, fmt, mark):
    """Lines of code points from the classes that differ between Unicode versions."""
    out = []
    for name, cps in (("punct", punct), ("format", fmt), ("mark", mark[::7])):
        for i in range(0, len(cps), 48):
            out.append("".join(("a" + chr(c)) for c in cps[i:i + 48]))
    latin = [c for c in range(0xC0, 0x250)] + [c for c in range(0x1E00, 0x1F00)]
    for i in range(0, len(latin), 64):
        out.append(" ".join(chr(c) for c in latin[i:i + 64]))
    greek_cyr = list(range(0x370, 0x530))
    for i in range(0, len(greek_cyr), 64):
        out.append("".join(chr(c) for c in greek_cyr[i:i + 64]))
    hangul = list(range(0xAC00, 0xD7A4, 97))
    out.append(" ".join(chr(c) for c in hangul))
    kana = list(range(0x3040, 0x3100)) + list(range(0xFF61, 0xFFA0))
    out.append("".join(chr(c) for c in kana))
    cjk_edges = [0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4DFF, 0x4E00, 0x9FFF, 0xA000, 0xF8FF, 0xF900, 0xFAFF,
                 0xFB00, 0x1FFFF, 0x20000, 0x2A6DF, 0x2A6E0, 0x2A6FF, 0x2A700, 0x2B73F, 0x2B740, 0x2B81F,
                 0x2B820, 0x2B91F, 0x2B920, 0x2CEAF, 0x2CEB0, 0x2F7FF, 0x2F800, 0x2FA1F, 0x2FA20, 0x30000]
    out.append("x".join(chr(c) for c in cjk_edges))
    spaces = [0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x180E, 0x2000,
              0x2005, 0x200A, 0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF]
    out.append("w".join(chr(c) for c in spaces))
    return out
