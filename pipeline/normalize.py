"""Pure text cleanup, canonical URLs, attribution and summaries (dates live in pipeline.dates)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from pipeline.boilerplate import COMMENTS_HEADING_RE, REAL_PAGE_BOILERPLATE_RES
from pipeline.dates import PublishedAt, parse_cn_date

__all__ = [
    "PublishedAt",
    "canonical_url",
    "extract_attribution",
    "make_summary",
    "normalize_text",
    "parse_cn_date",
    "url_key",
]

# --- text -------------------------------------------------------------------------------------

# NFKC folds full-width ASCII letters and digits (ＡＢＣ１２３ → ABC123) so keywords and numbers
# match, but editors read the text: Chinese punctuation stays full-width, and NFKC must not
# turn …… into ......, ① into 1, m² into m2, ℃ into °C or ㎡ into m2.
NFKC_KEEP_RE = re.compile(
    r"[，：；！？（）～…‥\u00b2\u00b3\u00b9\u2070-\u209f\u2103\u2109\u2122"
    r"\u2460-\u24ff\u3380-\u33ff]"
)

# Half-width ,:;!? typed next to Chinese (or after a converting CMS) become full-width again, so
# reprints with converted punctuation read the same as the original; 1,234 and 10:30 stay.
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HALF_PUNCT_NEAR_CJK_RE = re.compile(
    rf"(?<=[{CJK}”’》）])\s*([,:;!?])|(?<![:/])([,:;!?]) *(?=[{CJK}“‘《（])"
)
HALF_TO_FULL = str.maketrans({",": "，", ":": "：", ";": "；", "!": "！", "?": "？"})
# A "." ending a Chinese sentence is a converted 。 (decimals and domains have no CJK before it).
HALF_STOP_RE = re.compile(rf"(?<=[{CJK}”’）%])\.(?=$|\n|[{CJK}“‘（\s])")
# Straight "…" around Chinese text are converted “…”; pairs are matched within one line.
HALF_QUOTES_RE = re.compile(rf'"([^"\n]*[{CJK}][^"\n]*)"')
# (…) around or beside Chinese text become （…）; ASCII-only ones such as f(x) or (2) stay.
HALF_PARENS_RE = re.compile(rf"\(([^()\n]*[{CJK}][^()\n]*)\)|(?<=[{CJK}])\(([^()\n]*)\)")

# Entities that survive a sloppy HTML-to-text step (seen on TRS pages) and invisible characters.
ENTITY_SPACE_RE = re.compile(r"&(?:nbsp|ensp|emsp|thinsp|#160|#12288|#x3000|#xa0);?", re.IGNORECASE)
INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
SPACES_RE = re.compile(r"[^\S\n]+")
# Spaces next to Chinese punctuation are layout leftovers (&nbsp; indents, justified text); spaces
# between words or names (记者 张三) carry meaning and stay.
SPACE_AROUND_CJK_PUNCT_RE = re.compile(r" *([，。：；！？、“”‘’（）《》【】…]) *")

# Labels of the metadata lines CMSes put around the body: 来源 (the publisher, also read by
# extract_attribution), the people behind the page, its dates and view counters.
SOURCE_LABELS = r"(?:文章|信息|稿件|本文|新闻|原文)?来源|出处|转载自|转自|摘自"
PEOPLE_LABELS = (
    r"责任编辑|责编|编辑|审核|审校|审稿|校对|作者|记者|通讯员|撰稿人?|摄影|摄像|供稿|实习生|监制"
    r"|终审|初审|复审|[一二三]审|主编|总监|制作|签发|发布人|发布机构|发布单位|文字|图片|视频"
)
DATE_LABELS = r"发布时间|发布日期|发表时间|更新时间|发稿时间|时间|日期|发文日期|成文日期"
COUNT_LABELS = r"浏览次数|阅读次数|点击数|点击量|点击率|浏览量|阅读量|访问量|访问次数|浏览|阅读"
DATE_VALUE = r"[\d年月日\-/.:：\s]{4,24}"
META_FIELD = (
    rf"(?:(?:{SOURCE_LABELS}|{PEOPLE_LABELS})\s*[:：]\s*[^:：。；！？，]{{0,40}}?"
    rf"|(?:{DATE_LABELS})\s*[:：]\s*{DATE_VALUE}|(?:{COUNT_LABELS})\s*[:：]?\s*\d*\s*次?"
    # A bare timestamp opening a metadata bar: 2026-11-21 07:05来源：中国证券报 作者：…
    r"|\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?)"
)

# Page chrome that CMSes print as text around the article: font-size switches, print/close
# buttons, share bars, QR-code prompts, previous/next links and "related" headings.
CHROME = (
    r"字[体号][:：]?\s*[【\[]?\s*(?:大\s*中\s*小|[Tt]\s*\|?\s*[Tt]|默认)\s*[】\]]?"
    r"|打印本页|打印本文|打印文章|打印|关闭本页|关闭窗口|关闭|收藏本页|收藏|加入收藏|我要纠错|纠错"
    r"|返回顶部|返回首页|返回列表|返回|顶部|TOP|分享到[:：]?[^。；！？]{0,40}|分享|"
    r"扫一扫在手机(?:上)?(?:打开|查看)当前页(?:面)?|手机扫一扫|扫一扫|微信扫一扫"
    r"|[【\[]?(?:相关阅读|相关链接|相关新闻|相关稿件|延伸阅读|推荐阅读)[】\]]?[:：]?"
    r"|微信|微博|QQ空间|QQ好友|新浪微博|腾讯微博|人人网|豆瓣|广告|推广"
)

# A line that is nothing but metadata fields and chrome, possibly wrapped in 【】[]（）.
META_LINE_RE = re.compile(
    rf"^(?:[【\[（(]?\s*(?:{META_FIELD}|{CHROME})\s*[】\]）)]?[\s|｜/·•丨]*)+$"
)

# Whole lines that are boilerplate even when long: previous/next links carry a full title, a
# reprint's 原标题 line repeats the original title (the canonical item has it as its own title),
# 声明 lines about reprint rights, and Xinhua's （完） end mark.
BOILERPLATE_LINE_RES = (
    re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上篇|下篇)\s*[:：]?.*$"),
    re.compile(r"^[【\[]?原标题\s*[:：].*$"),
    re.compile(r"^[【\[]?(?:版权|免责)?声明\s*[:：].*(?:转载|版权|原作者|来源).*$"),
    re.compile(r"^[（(]\s*完\s*[）)]$"),
    # A newspaper's edition line under a reprint: 《人民日报》（2026年11月20日 10 版）.
    re.compile(
        r"^[（(]?《[^》]{2,12}》\s*[（(]\s*\d{4}年\d{1,2}月\d{1,2}日\s*\d+\s*版\s*[）)][）)]?$"
    ),
    # Font-size switches printed as words (人民网: 大字号 小字号).
    re.compile(r"^(?:[大中小]字号\s*)+$"),
    # WeChat's calls to action at the end of an article.
    re.compile(r"^(?:点击|点).{0,4}[“\"](?:在看|赞)[”\"].{0,20}$"),
    re.compile(r"^(?:长按|扫描)(?:识别)?二维码.{0,20}$"),
    # A reprinting outlet's 编者按 frames the story for its own readers, not ours.
    re.compile(r"^[【\[]?编者(?:按|注)[】\]]?\s*[:：]?.*$"),
    re.compile(rf"^[（(【\[]\s*(?:{PEOPLE_LABELS})[\s:：][^（）()【】\[\]]{{1,40}}[）)】\]]$"),
)

# A font-size switch or print/close button marks a short line as the page's metadata bar even when
# its other parts carry no labels (人民网 2022年3月1日 字号：T|T).
CHROME_ANCHOR_RE = re.compile(
    r"字[体号][:：]?\s*[【\[]?\s*(?:大\s*中\s*小|[Tt]\s*\|?\s*[Tt])|打印本页|关闭窗口|【打印】|【关闭】"
)
# A bare dateline bar: an optional publisher name, a full date, an optional time.
DATE_BAR_RE = re.compile(
    r"^(?:[^\s，。：:；！？]{2,20}\s+)?\d{4}\s*(?:年|[-/.])\s*\d{1,2}\s*(?:月|[-/.])\s*\d{1,2}\s*日?"
    r"(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?(?:\s+[^\s，。：:；！？]{2,20})?$"
)
MAX_CHROME_LINE = 80

# Photo captions: the newsletter carries no photos, so 图为… / （XX记者 张三 摄） lines are noise,
# and reprints add their own.
PHOTO_CAPTION_RE = re.compile(
    r"^(?:图为|图[:：]|[上下左右]图[:：为]?|[（(]图|资料图|图片来源|配图)|(?:摄|供图|图)\s*[）)]$"
)
# Link lists under 相关阅读 carry other articles' titles: headlines without sentence ends.
RELATED_HEADING_RE = re.compile(
    r"^[【\[]?(?:相关阅读|相关链接|相关新闻|相关稿件|延伸阅读|推荐阅读|热点推荐|更多阅读"
    # Teaser headings seen on real pages (issue 12).
    r"|相关推荐|精彩推荐|精彩视频推荐|视频推荐|今日推荐|为你推荐|猜你喜欢|热门推荐|热门文章|热点新闻"
    r"|往期推荐|往期回顾|推荐文章|相关文章|相关报道|更多精彩"
    # The same headings in Traditional script (Taiwan and Hong Kong pages).
    r"|相關新聞|相關閱讀|延伸閱讀|推薦閱讀|熱門點閱|熱門新聞|相關文章|你可能還想看)[】\]]?[:：]?$"
)
SENTENCE_END_CHARS = "。！？!?…”"
MAX_LINK_LINE = 60

# Only long lines can be real paragraphs; metadata lines are short, and bounding the length also
# bounds the regex backtracking.
MAX_META_LINE = 120

# "（责任编辑：张三）" glued to the last paragraph: the one cut we make at the end of a line.
TRAILING_EDITOR_RE = re.compile(
    rf"\s*[（(\[【]\s*(?:{PEOPLE_LABELS})\s*[:：]?\s*[^（）()\[\]【】]{{1,30}}[）)\]】]\s*$"
)


def normalize_text(text: str) -> str:
    """Clean article text for editors and matching: fold widths, collapse spaces, drop chrome."""
    text = ENTITY_SPACE_RE.sub(" ", text)
    text = INVISIBLE_RE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n")
    text = _fold_width(text)
    text = HALF_PUNCT_NEAR_CJK_RE.sub(lambda m: (m[1] or m[2]).translate(HALF_TO_FULL), text)
    text = HALF_QUOTES_RE.sub(r"“\1”", text)
    text = HALF_STOP_RE.sub("。", text)
    text = HALF_PARENS_RE.sub(lambda m: f"（{m[1] if m[1] is not None else m[2]}）", text)
    lines = [SPACES_RE.sub(" ", line) for line in text.split("\n")]
    lines = [SPACE_AROUND_CJK_PUNCT_RE.sub(r"\1", line).strip() for line in lines]
    kept = _drop_chrome_lines([line for line in lines if line])
    if kept:
        kept[-1] = TRAILING_EDITOR_RE.sub("", kept[-1])
        if not kept[-1]:
            kept.pop()
    return "\n".join(kept)


def _drop_chrome_lines(lines: list[str]) -> list[str]:
    """Lines minus boilerplate, and minus the link titles listed under a 相关阅读 heading."""
    kept: list[str] = []
    in_links = False
    for line in lines:
        if COMMENTS_HEADING_RE.match(line):
            break
        if RELATED_HEADING_RE.match(line):
            in_links = True
            continue
        if in_links and len(line) <= MAX_LINK_LINE and line[-1] not in SENTENCE_END_CHARS:
            continue
        in_links = False
        if not is_boilerplate_line(line) or _is_signature_date(line, kept):
            kept.append(line)
    return kept


# An official document ends with its issuing body on one line and the signing date on the next
# (国务院办公厅 / 2026年11月12日): that date is part of the document, not a page's date bar.
SIGNATURE_DATE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
MAX_SIGNATURE_LINE = 30


def _is_signature_date(line: str, kept: list[str]) -> bool:
    """True for a bare 年月日 date right after a short signature line."""
    return (
        bool(SIGNATURE_DATE_RE.match(line))
        and bool(kept)
        and len(kept[-1]) <= MAX_SIGNATURE_LINE
        and kept[-1][-1] not in SENTENCE_END_CHARS
    )


def is_boilerplate_line(line: str) -> bool:
    """True when the whole (stripped) line is page chrome, metadata or a photo caption."""
    if len(line) <= MAX_META_LINE and (META_LINE_RE.match(line) or PHOTO_CAPTION_RE.search(line)):
        return True
    if (
        len(line) <= MAX_CHROME_LINE
        and "。" not in line
        and (CHROME_ANCHOR_RE.search(line) or DATE_BAR_RE.match(line))
    ):
        return True
    if any(pattern.match(line) for pattern in BOILERPLATE_LINE_RES):
        return True
    return any(pattern.match(line) for pattern in REAL_PAGE_BOILERPLATE_RES)


def _fold_width(text: str) -> str:
    """NFKC everywhere except the characters in NFKC_KEEP_RE."""
    if not NFKC_KEEP_RE.search(text):
        return unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    start = 0
    for m in NFKC_KEEP_RE.finditer(text):
        parts.append(unicodedata.normalize("NFKC", text[start : m.start()]))
        parts.append(m[0])
        start = m.end()
    parts.append(unicodedata.normalize("NFKC", text[start:]))
    return "".join(parts)


# --- attribution ------------------------------------------------------------------------------

# 来源：X / 本文来源：X / 原文来源：X / 转载自X: the label must start a line or follow a space or a
# bracket, so that 资金来源：财政拨款 in the body is not read as a publisher.
ATTRIBUTION_RE = re.compile(
    r"(?:^|(?<=[\s【\[（(|｜]))(?:(?:文章|信息|稿件|本文|新闻|原文)?来源\s*[:：]"
    r"|(?:本文)?(?:转载自|转自|摘自)\s*[:：]?)\s*(?P<name>[^\s，。；！？,;!?|｜【】\[\]()（）]{2,40})",
    re.MULTILINE,
)
# Decorations around a publisher name that are not part of it.
ATTRIBUTION_STRIP = "《》“”\"'：:、，,.。 "


def extract_attribution(text: str) -> str | None:
    """The publisher named by a 来源/转载自 line of the raw text, or None."""
    for m in ATTRIBUTION_RE.finditer(unicodedata.normalize("NFKC", text)):
        name = m["name"].strip(ATTRIBUTION_STRIP)
        if name and not re.fullmatch(r"[\d\-/.:年月日]+", name):
            return name
    return None


# --- URLs -------------------------------------------------------------------------------------

# Parameters that track a visit, not select a page: analytics, share buttons, WeChat client
# noise. Everything else (id, infoid, artid, __biz, mid, sn...) selects content and is kept.
# fmt: off
TRACKING_PARAMS = frozenset({
    "spm", "from", "from_source", "fromsource", "source_from", "isappinstalled", "scene",
    "subscene", "clicktime", "enterid", "ascene", "devicetype", "version", "nettype",
    "abtest_cookie", "lang", "exportkey", "pass_ticket", "wx_header", "chksm", "sessionid",
    "srcid", "mpshare", "rd2werd", "poc_token", "gclid", "fbclid", "msclkid", "yclid", "bd_vid",
    "_hsenc", "_hsmi", "mc_cid", "mc_eid", "ref", "ref_src", "hmsr", "hmpl", "hmcu", "hmkw",
    "hmci", "jsessionid", "phpsessid", "sid_for_share", "tt_from", "tt_medium",
})
# fmt: on
TRACKING_PREFIXES = ("utm_", "share", "wxshare", "sharer_", "pk_", "mtm_")
# Cache busters: dropped only when the value is a number, since `t` can mean a type elsewhere.
CACHE_BUSTER_PARAMS = frozenset({"_", "_t", "t", "ts", "timestamp", "time", "rand", "random", "r"})
NUMBER_VALUE_RE = re.compile(r"^\d+(?:\.\d+)?$")
# A site's directory index and the directory itself are the same page.
INDEX_PAGE_RE = re.compile(r"/(?:index|default)\.(?:html?|shtml)$", re.IGNORECASE)
# Java servlet containers append the session to the path: /art/1.html;jsessionid=ABC.
PATH_SESSION_RE = re.compile(r";jsessionid=[^/?#]*", re.IGNORECASE)
PERCENT_RE = re.compile(r"%[0-9a-fA-F]{2}")
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def canonical_url(url: str) -> str:
    """The form of `url` that every link to the same article shares; its hash is the item key.

    http and https become https (gov sites serve both, and an upgrade must not re-key every item);
    host is lowercased, default ports, fragments (except #/ and #! routes of single-page apps),
    tracking parameters, ;jsessionid and a trailing index.html are dropped; the query is sorted;
    dot segments are resolved and duplicate slashes collapsed; path case is kept. Input without a
    scheme and host is returned stripped.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        return url.strip()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port if parts.port not in (80, 443) else None
    if scheme in ("http", "https"):
        scheme = "https"
    netloc = host if port is None else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = PATH_SESSION_RE.sub("", parts.path)
    path = INDEX_PAGE_RE.sub("/", _remove_dot_segments(re.sub(r"/{2,}", "/", path or "/")))
    fragment = parts.fragment if parts.fragment[:1] in ("/", "!") else ""
    return urlunsplit((scheme, netloc, _clean_escapes(path), _clean_query(parts.query), fragment))


def url_key(url: str) -> str:
    """A 32-hex-digit BLAKE2b-128 digest of canonical_url(url): the items primary key."""
    return hashlib.blake2b(canonical_url(url).encode("utf-8"), digest_size=16).hexdigest()


def _clean_query(query: str) -> str:
    """Drop tracking parameters, sort the rest and encode them one way."""
    kept = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        low = name.lower()
        if low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES):
            continue
        if low in CACHE_BUSTER_PARAMS and NUMBER_VALUE_RE.match(value):
            continue
        kept.append((name, value))
    safe = "-._~!$'()*,;:@/?"
    return "&".join(f"{quote(k, safe=safe)}={quote(v, safe=safe)}" for k, v in sorted(kept))


def _clean_escapes(path: str) -> str:
    """Percent-encode non-ASCII, uppercase escapes and decode escaped unreserved characters."""
    path = quote(path, safe="/;:@!$&'()*+,=-._~%")

    def fix(m: re.Match[str]) -> str:
        char = chr(int(m[0][1:], 16))
        return char if char in UNRESERVED else m[0].upper()

    return PERCENT_RE.sub(fix, path)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: /a/./b/../c → /a/c."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        if seg == ".":
            if i == len(segments) - 1:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


# --- summary ----------------------------------------------------------------------------------

# Datelines that open news copy and say nothing about the story: 本报讯（记者 张三）,
# 新华社北京11月20日电（记者 李四）, 大河网讯, 央视网消息（新闻联播）：, a bare （记者 王五）.
DATELINE_RE = re.compile(
    r"^(?:[^\s，。：]{0,16}?(?:\d{1,2}月\d{1,2}日)电|[^\s，。：]{0,12}?(?:报|网|台|社|刊|端)讯"
    r"|本报讯|本网讯|[^\s，。：]{0,12}?(?:网|社|台|报)消息)?\s*"
    r"(?:[（(][^（）()]{0,40}[）)])?\s*[：:，,]?\s*"
)
SENTENCE_RE = re.compile(r"[^。！？；!?;]+(?:[。！？；!?;]+[”’」』）)]*|$)")
SENTENCE_ENDS = "。！？!?…”’」』）)"
# Headings (一、总体要求) and photo captions (图为…) open many articles but summarise nothing.
CAPTION_RE = re.compile(r"^(?:图为|图：|图:|上图|下图|[（(]图|图片来源|资料图|视频[：:])")
HEADING_MAX = 40
CLAUSE_ENDS = "，、：,:"
# A summary should not stop on a comma or semicolon; "…" replaces it.
DANGLING = "，、：；,:;"


def make_summary(text: str, limit: int = 150) -> str:
    """The lead sentences of normalize_text output, about `limit` characters, "…" if cut mid-way.

    A leading dateline (本报讯（记者 张三）, 新华社北京11月20日电) is skipped, and so are headings
    and photo captions; a summary ending on a whole sentence gets no "…".
    """
    paragraphs = [p.strip() for p in text.strip().split("\n") if p.strip()]
    body = [p for p in paragraphs if not _is_heading(p)] or paragraphs
    if not body:
        return ""
    sentences = SENTENCE_RE.findall(_strip_dateline(body[0]))
    sentences += [s for p in body[1:] for s in SENTENCE_RE.findall(p)]
    out = ""
    for sentence in (s.strip() for s in sentences):
        if not sentence:
            continue
        if len(out) + len(sentence) <= limit:
            out += sentence
            continue
        if len(out) >= limit // 2:
            break
        return _cut(out + sentence, limit)
    if out and out[-1] in DANGLING:
        return out[:-1] + "…"
    return out


def _is_heading(paragraph: str) -> bool:
    """A short line that does not end a sentence, or a photo caption."""
    if CAPTION_RE.match(paragraph):
        return True
    return len(paragraph) < HEADING_MAX and paragraph[-1] not in SENTENCE_ENDS


def _strip_dateline(text: str) -> str:
    """Remove a leading dateline when it leaves a real sentence behind."""
    m = DATELINE_RE.match(text)
    if not m or not m.group(0).strip():
        return text
    rest = text[m.end() :]
    return rest if len(rest) >= 10 else text


def _cut(text: str, limit: int) -> str:
    """Cut at the last clause end before `limit`, else outside any Latin word or number."""
    head = text[:limit]
    clause = max(head.rfind(c) for c in CLAUSE_ENDS)
    if clause >= limit * 0.6:
        head = head[:clause]
    else:
        while head and head[-1].isascii() and head[-1].isalnum() and text[len(head)].isalnum():
            head = head[:-1]  # back off out of an English word or a number
        head = head if len(head) >= limit // 2 else text[:limit]
        head = head.rstrip("“‘《（(【[ ")
    return head.rstrip(DANGLING + " ") + "…"
