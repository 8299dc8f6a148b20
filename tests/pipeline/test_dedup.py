"""Behaviour of the pure dedup stage: hashes, MinHash signatures, verification, canonical choice."""

from __future__ import annotations

from datetime import date, time

import pytest

from pipeline.dates import PublishedAt
from pipeline.dedup import (
    ClusterMember,
    DedupCandidate,
    band_keys,
    choose_canonical,
    compare,
    content_hash,
    estimated_containment,
    find_reprint,
    is_reprint,
    make_candidate,
    match_clusters,
    normalize_title,
    prose_view,
    sentence_marks,
    signature,
    similarity,
)
from pipeline.minhash import BANDS, NUM_PERM, Signature
from pipeline.normalize import normalize_text

ORIGINAL = """
近日，许昌市出台《支持发制品产业高质量发展的若干措施》，从研发创新、品牌培育、跨境电商、人才引进等方面提出18条具体措施。
《措施》提出，到2025年，全市发制品产业营业收入突破500亿元，培育年销售收入超10亿元的龙头企业5家，打造国际知名发制品品牌10个以上。
在研发创新方面，对企业新建省级以上研发平台给予最高200万元奖励；在品牌培育方面，对企业在境外注册商标、开展品牌推广给予补贴。
在跨境电商方面，支持企业建设海外仓和独立站，对年出口额超过1000万元的跨境电商企业给予奖励。
""".strip()

# A reprint: other chrome, 原标题, converted punctuation, one edited sentence, a cut tail.
REPRINT = """【字体：大 中 小】【打印本页】
原标题：许昌出台发制品产业18条措施
来源：许昌市人民政府
日前,许昌市出台《支持发制品产业高质量发展的若干措施》,从研发创新、品牌培育、跨境电商、人才引进等方面提出18条具体措施.
《措施》提出,到2025年,全市发制品产业营业收入突破500亿元,培育年销售收入超10亿元的龙头企业5家,打造国际知名发制品品牌10个以上.
在研发创新方面,对企业新建省级以上研发平台给予最高200万元奖励;在品牌培育方面,对企业在境外注册商标、开展品牌推广给予补贴.
责任编辑：张伟"""

# Same ministry template, other month, other figures: not a reprint.
RELEASE = (
    "1—{m}月，全市规模以上工业增加值同比增长{a}%，增速居全省第{r}位。其中，制造业增长{b}%，"
    "电气机械和器材制造业增长{c}%，非金属矿物制品业增长{d}%，农副食品加工业增长{e}%。全市"
    "战略性新兴产业增加值增长{f}%，占规模以上工业增加值的比重为{g}%；高技术制造业增加值增长"
    "{h}%。从主要产品产量看，发电量{i}亿千瓦时，水泥{j}万吨，发制品{k}万条。"
)
MAY = RELEASE.format(m=5, a=7.8, r=3, b=8.4, c=12.3, d=1.8, e=6.4, f=13.6, g=28.4, h=21.5,
                     i=62.7, j=486.2, k=1368)  # fmt: skip
JUNE = RELEASE.format(m=6, a=7.5, r=4, b=8.0, c=11.6, d=0.9, e=5.8, f=12.9, g=28.9, h=19.8,
                      i=75.4, j=597.8, k=1652)  # fmt: skip


def candidate(key: str, raw: str, title: str = "") -> DedupCandidate:
    """A candidate built the way the pipeline builds one."""
    return make_candidate(key, normalize_text(raw), title)


# --- hashes and signatures --------------------------------------------------------------------


def test_content_hash_ignores_punctuation_and_whitespace() -> None:
    assert content_hash("许昌市，发制品。\n产业") == content_hash("许昌市,发制品.产业")
    assert content_hash("许昌市发制品产业") != content_hash("许昌市超硬材料产业")
    assert len(content_hash("")) == 32


def test_signature_is_stable_across_runs_and_versions() -> None:
    sig = signature("许昌市发制品产业高质量发展")
    assert sig.size == 11
    assert len(sig.values) == 4 * NUM_PERM
    # Pinned: a change here re-keys every stored band, so it needs a SCHEME_VERSION bump.
    assert sig.array[:4].tolist() == [267154536, 149770115, 933855580, 81965134]
    assert band_keys(sig)[:2] == (3900575755813422506, 654536331718866801)
    assert band_keys(sig)[:2] == band_keys(signature("许昌市，发制品产业。高质量发展"))[:2]


def test_signature_round_trips_through_bytes() -> None:
    sig = signature(ORIGINAL)
    blob = sig.to_bytes()
    assert Signature.from_bytes(blob) == sig
    assert len(blob) == 12 + 4 * NUM_PERM


@pytest.mark.parametrize(
    "blob",
    [b"", b"NDMH" + bytes(8 + 4 * NUM_PERM), b"BAD!\x01\x03\x80\x00" + bytes(4 + 4 * NUM_PERM)],
)
def test_signature_from_bytes_rejects_other_schemes(blob: bytes) -> None:
    with pytest.raises(ValueError, match="signature"):
        Signature.from_bytes(blob)


def test_similarity_estimates_jaccard() -> None:
    assert similarity(signature(ORIGINAL), signature(ORIGINAL)) == 1.0
    assert similarity(signature(ORIGINAL), signature(normalize_text(REPRINT))) > 0.5
    assert similarity(signature(ORIGINAL), signature(MAY)) < 0.1
    assert similarity(signature(""), signature("")) == 0.0


def test_band_keys_are_signed_64_bit_and_mix_in_the_band_index() -> None:
    keys = band_keys(signature(ORIGINAL))
    assert len(keys) == BANDS
    assert all(-(2**63) <= k < 2**63 for k in keys)
    flat = Signature(b"\x01\x00\x00\x00" * NUM_PERM, 5)  # every band holds the same values
    assert len(set(band_keys(flat))) == BANDS


def test_empty_text_has_no_band_keys() -> None:
    assert signature("。，  \n") == Signature(b"\xff" * (4 * NUM_PERM), 0)
    assert band_keys(signature("")) == ()


def test_short_text_is_one_shingle() -> None:
    assert signature("许昌").size == 1


# --- verification -----------------------------------------------------------------------------


def test_reprint_with_other_chrome_punctuation_edit_and_cut_tail_is_a_reprint() -> None:
    evidence = compare(candidate("a", ORIGINAL), candidate("b", REPRINT))
    assert evidence.reprint
    assert evidence.containment > 0.9


def test_exact_duplicate_after_normalization() -> None:
    evidence = compare(candidate("a", ORIGINAL), candidate("b", ORIGINAL.replace("，", ",")))
    assert evidence == compare(candidate("a", ORIGINAL), candidate("b", ORIGINAL))
    assert evidence.same_text and evidence.reprint


def test_monthly_release_with_other_figures_is_not_a_reprint() -> None:
    evidence = compare(candidate("may", MAY), candidate("june", JUNE))
    assert evidence.containment > 0.5  # the template is shared...
    assert evidence.numbers is not None and evidence.numbers < 0.2  # ...the figures are not
    assert not evidence.reprint


def test_notices_sharing_boilerplate_are_not_reprints() -> None:
    head = "各县（市、区）工信局，示范区、经济技术开发区、高新区经济发展局：为深入实施创新驱动发展战略，进一步强化企业创新主体地位，现将有关事项通知如下："
    tail = "请各单位认真组织企业申报，严格审核把关，于9月30日前将推荐文件报送市工业和信息化局科技与质量科。联系电话：0374-2968635"
    a = (
        head
        + "申请认定市级企业技术中心的企业，专职研究与试验发展人员数不少于20人，研究与试验开发经费支出额不低于300万元。"
        + tail
    )
    b = (
        head
        + "申请认定市级工业设计中心的企业，应设立专门的工业设计机构，拥有专职工业设计人员不少于10人，设计成果转化率较高。"
        + tail
    )
    assert not is_reprint(candidate("a", a), candidate("b", b))


def test_short_texts_also_need_the_same_title() -> None:
    a = candidate("a", "许昌发制品出口增长。", "许昌发制品出口增长")
    b = candidate("b", "许昌发制品出口增长！", "【转载】许昌发制品出口增长 - 大河网")
    c = candidate("c", "许昌发制品出口增长了。", "河南发制品出口")
    assert is_reprint(a, b)
    assert not is_reprint(a, c)


def test_normalize_title_drops_reprint_markers_and_site_names() -> None:
    assert normalize_title("【转载】许昌发制品出口增长_许昌市人民政府") == "许昌发制品出口增长"
    assert normalize_title("转载：许昌发制品出口增长 - 大河网") == "许昌发制品出口增长"


def test_find_reprint_picks_the_best_verified_candidate_and_skips_itself() -> None:
    item = candidate("new", REPRINT)
    original = candidate("orig", ORIGINAL)
    cut = candidate("cut", ORIGINAL.split("\n")[0] + "\n" + ORIGINAL.split("\n")[3])
    others = [candidate("may", MAY), candidate("june", JUNE), cut, original, item]
    found = find_reprint(item, others)
    assert found is not None
    assert found[0].key == "orig"
    assert find_reprint(item, [candidate("may", MAY), item]) is None


# --- canonical member -------------------------------------------------------------------------


def member(key: str, authority: str, when: PublishedAt | None, attribution: str | None,
           source: str) -> ClusterMember:  # fmt: skip
    """A ClusterMember."""
    return ClusterMember(key, authority, when, attribution, source)


JUNE_25 = PublishedAt(date(2022, 6, 25))
JUNE_25_9 = PublishedAt(date(2022, 6, 25), time(9, 0))
JUNE_26 = PublishedAt(date(2022, 6, 26))


def test_choose_canonical_prefers_the_publisher_others_credit() -> None:
    members = [
        member("a", "municipal", JUNE_25, None, "许昌市人民政府"),
        member("b", "media", JUNE_26, None, "许昌日报"),
        member("c", "media", JUNE_26, "许昌日报", "大河网"),
        member("d", "provincial", JUNE_26, "许昌日报社", "河南省人民政府"),
    ]
    assert choose_canonical(members).key == "b"


def test_choose_canonical_prefers_government_then_association_then_media() -> None:
    members = [
        member("m", "media", JUNE_25, None, "大河网"),
        member("s", "association", JUNE_26, None, "许昌市发制品行业协会"),
        member("g", "municipal", JUNE_26, None, "许昌市人民政府"),
    ]
    assert choose_canonical(members).key == "g"
    assert choose_canonical(members[:2]).key == "s"
    national = member("n", "national", JUNE_26, None, "工业和信息化部")
    assert choose_canonical([*members, national]).key == "n"


def test_choose_canonical_prefers_the_earliest_then_the_smallest_key() -> None:
    members = [
        member("b", "media", JUNE_26, None, "大河网"),
        member("c", "media", None, None, "许昌网"),
        member("a", "media", JUNE_25, None, "许昌日报"),
        member("z", "media", JUNE_25_9, None, "河南日报"),
    ]
    assert choose_canonical(members).key == "z"  # a known time beats a bare date
    assert choose_canonical(members[:3]).key == "a"
    assert choose_canonical([members[1], member("d", "media", None, None, "x")]).key == "c"


def test_choose_canonical_attribution_match_tolerates_site_suffixes_and_pairs() -> None:
    members = [
        member("gov", "municipal", JUNE_25, None, "许昌市工业和信息化局"),
        member("paper", "media", JUNE_25_9, "许昌日报-许昌市工业和信息化局网站", "许昌日报"),
    ]
    assert choose_canonical(members).key == "gov"
    members = [
        member("xinhua", "media", JUNE_26, None, "新华社"),
        member("site", "municipal", JUNE_25, "新华网", "许昌市人民政府"),
    ]
    assert choose_canonical(members).key == "site"  # 新华网 does not credit 新华社


def test_choose_canonical_needs_members() -> None:
    with pytest.raises(ValueError, match="at least one"):
        choose_canonical([])


# --- cut copies, sentence marks and clusters -------------------------------------------------

LONG = (
    ORIGINAL
    + "\n"
    + "\n".join(
        [
            "在人才引进方面，对引进的发制品设计、跨境运营高层次人才，给予最高50万元安家补贴。",
            "《措施》还明确，市财政每年安排专项资金1亿元，用于支持发制品产业园区基础设施建设和公共服务平台建设。",
            "据了解，许昌发制品产业已有100多年历史，目前全市共有发制品企业1800余家，产品远销120多个国家和地区。",
            "下一步，许昌市将建立发制品产业发展联席会议制度，定期研究解决产业发展中的重大问题。",
        ]
    )
)
# A WeChat repost keeping half of the paragraphs, with its calls to follow and 往期推荐 links.
WECHAT_HALF = "\n".join(
    [
        "点击上方蓝字关注我们",
        "【导读】许昌出台发制品产业18条措施，详情请看下文。",
        *[LONG.split("\n")[i] for i in (0, 1, 4, 6)],
        "往期推荐",
        "禹州钧瓷文化旅游节开幕 现场签约项目12个",
        "长葛超硬材料产业园二期项目开工建设",
        "阅读原文",
    ]
)


def test_sentence_marks_ignore_punctuation_width_and_short_sentences() -> None:
    marks = sentence_marks("近日，许昌市出台若干措施。特此通知。")
    assert marks == sentence_marks("近日,许昌市出台若干措施.\n特此通知!")
    assert len(marks) == 0  # both sentences are under MARK_MIN_CHARS
    assert len(sentence_marks(LONG)) == len(
        [p for p in LONG.replace("；", "。").split("。") if len(p) >= 12]
    )


def test_half_copy_with_wechat_chrome_is_a_sentence_candidate_and_a_reprint() -> None:
    copy, original = candidate("copy", WECHAT_HALF), candidate("orig", LONG)
    assert set(sentence_marks(copy.text)) & set(sentence_marks(original.text))
    assert estimated_containment(copy.signature, original.signature) >= 0.6
    assert "往期推荐" not in prose_view(copy.text)
    evidence = compare(copy, original)
    assert evidence.reprint, evidence
    assert evidence.jaccard < 0.6  # what MinHash bands alone often miss


def test_half_copy_of_a_notice_stays_apart_from_another_notice_in_its_boilerplate() -> None:
    head = "各县（市、区）工信局，示范区、经济技术开发区、高新区经济发展局：为深入实施创新驱动发展战略，进一步强化企业创新主体地位，现将有关事项通知如下："
    tail = [
        "请各单位认真组织企业申报，严格审核把关，于9月30日前将推荐文件报送市工业和信息化局科技与质量科。",
        "联系人：王敏",
        "联系电话：0374-2968635",
        "许昌市工业和信息化局",
        "2022年8月20日",
    ]
    body_a = [
        "一、申报条件。申请认定市级企业技术中心的企业，专职研究与试验发展人员数不少于20人，研究与试验开发经费支出额不低于300万元。",
        "二、申报材料。企业技术中心申请报告、近三年研发项目清单及知识产权证明材料。",
    ]
    body_b = [
        "一、申报条件。申请认定市级工业设计中心的企业，应设立专门的工业设计机构，拥有专职工业设计人员不少于10人。",
        "二、申报材料。工业设计中心申请表、近两年设计成果转化情况及获奖证明材料。",
    ]
    a = candidate("a", "\n".join([head, *body_a, *tail]))
    b = candidate("b", "\n".join([head, *body_b, *tail]))
    half_a = candidate(
        "half_a", "\n".join(["点击蓝字关注我们", head, body_a[0], *tail[:3], "阅读原文"])
    )
    assert is_reprint(half_a, a)
    assert not is_reprint(half_a, b)
    assert not is_reprint(a, b)


def test_half_copy_of_a_monthly_release_stays_apart_from_another_month() -> None:
    sentences = MAY.split("。")
    half_may = candidate("half", "扫码关注公众号\n" + "。".join(sentences[:3]) + "。\n阅读原文")
    assert is_reprint(half_may, candidate("may", MAY))
    assert not is_reprint(half_may, candidate("june", JUNE))


def test_match_clusters_finds_every_verified_cluster_once() -> None:
    copy = candidate("copy", WECHAT_HALF)
    original, reprint = candidate("orig", LONG), candidate("re", REPRINT)
    found = match_clusters(
        copy,
        [(candidate("may", MAY), "c1"), (original, "c2"), (reprint, "c2"), (copy, "c3")],
    )
    assert set(found) == {"c2"}  # one edge is enough; a cluster is verified once; itself skipped
    assert found["c2"][0].key == "orig"
