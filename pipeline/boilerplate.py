"""Boilerplate lines measured on real Chinese news and government pages (issue 12).

A self-contained list, one failure class per pattern, that pipeline.normalize drops as whole lines.
Each pattern matches a whole (stripped, width-folded) line; the length caps keep article sentences
that merely mention a word out of reach (tests/pipeline/test_normalize.py holds both sides).
"""

from __future__ import annotations

import re

REAL_PAGE_BOILERPLATE_RES = (
    # 当前位置：首页 > 新闻 breadcrumbs, and 首页 > 政务公开 > … trails without the label.
    re.compile(r"^(?:当前位置|您的位置|您现在的位置|现在位置|所在位置)\s*[:：].{0,80}$"),
    re.compile(r"^(?:首页|网站首页|主页)\s*[>›»→].{0,80}$"),
    # "首页 | 政务公开 | 政务服务" navigation bars: three or more short items between bars.
    re.compile(r"^(?:[^|｜丨\s]{1,8}\s*[|｜丨]\s*){2,}[^|｜丨\s]{1,8}$"),
    # Copyright footers: 版权所有, Copyright ©, All Rights Reserved, ICP备案号.
    re.compile(r"^.{0,80}(?:版权所有|[Cc]opyright|©|All Rights Reserved|ICP备|ICP证).{0,80}$"),
    # Reprint bans: 未经授权禁止转载, 未经许可不得转载, 转载请注明出处, 违者必究.
    re.compile(
        r"^.{0,80}(?:未经.{0,12}(?:授权|许可|同意|允许).{0,12}(?:不得|禁止|严禁|请勿)|转载请注明"
        r"|违者必究|谢绝转载|禁止转载).{0,80}$"
    ),
    # 免责声明 / 特别声明 lines and platforms' "we only store what users upload" notices.
    re.compile(r"^.{0,12}?[【\[]?(?:免责声明|特别声明|版权声明|郑重声明)[】\]]?\s*[:：]?.{0,200}$"),
    re.compile(r"^.{0,120}(?:仅提供信息存储服务|不代表.{0,20}(?:观点|立场)).{0,80}$"),
    # （原标题：…） in brackets (the bare 原标题： line is in BOILERPLATE_LINE_RES).
    re.compile(r"^[（(]\s*原标题\s*[:：].*[）)]$"),
    # 责任编辑 in its forms: [责任编辑:张三], 编辑|张三, 投稿|a@b.cn, （某网编辑 孙某）, 文字丨李四.
    re.compile(
        r"^(?:[（(【\[]?\s*[\u4e00-\u9fff]{0,6}?(?:责任编辑|编辑|责编|主编|审核|审校|校对|监制|排版"
        r"|美编|投稿|作者|文字|摄影|图片|来源)\s*[|｜丨:：/\s]\s*[^\s|｜丨:：/（）()【】\[\]。，！？]{1,30}"
        r"\s*[）)】\]]?\s*)+$"
    ),
    # Credit lines of WeChat accounts: 编辑|张三 语音|李四 剪辑|王五, 投稿|a@b.cn 合作|c.
    re.compile(
        r"^(?:(?:编辑|投稿)\s*[|｜丨]\s*\S{1,30}\s*)(?:[\u4e00-\u9fff]{2,4}\s*[|｜丨]\s*\S{1,30}\s*)*$"
    ),
    re.compile(r"^(?:[\u4e00-\u9fff]{2,4}\s*[|｜丨]\s*[^\s|｜丨]{1,30}\s*){2,}$"),
    # WeChat calls to follow and share: 点击蓝字关注我们, 扫码关注, 长按识别二维码, 往期推荐,
    # 阅读原文, 欢迎分享到朋友圈, 点个在看, 回复【关键词】; never a sentence.
    re.compile(
        r"^(?!.*[。；])[^。]{0,30}(?:蓝字|扫码|二维码|往期推荐|往期回顾|往期精选|阅读原文|分享到朋友圈|转发到朋友圈"
        r"|点个?[“\"]?在看|关注我们|设为星标).{0,30}$"
    ),
    re.compile(r"^.{0,20}回复\s*[【\[“\"「].{1,12}[】\]”\"」].{0,30}$"),
    # "如你觉得文章不错，请识别图中二维码关注，并推荐给你的朋友。": a closing call, sentence or not.
    re.compile(
        r"^.{0,30}(?:识别|扫描|扫|长按)(?:图中|下方|上方|下面|文末)?的?二维码.{0,4}关注.{0,60}$"
    ),
    # Widgets printed as text: 【下载地址】 【点击投票】 【打印本稿】 发送给朋友, 进入【股吧】讨论.
    re.compile(
        r"^(?:[【\[]\s*(?:下载地址|点击投票|我要投票|点击下载|打印本稿|打印本页|关闭窗口|收藏本文|推荐给朋友"
        r"|发送给朋友|评论|我要评论)\s*[】\]]\s*)+$"
    ),
    re.compile(r"^(?:发送给朋友|推荐给朋友|我要评论|发表评论|订阅|举报|复制链接)$"),
    re.compile(r"^(?:(?:pdf|word|doc|wps|ofd)\s*下载\s*)+$", re.IGNORECASE),
    re.compile(r"^进入\s*[【\[].{1,20}[】\]]\s*讨论.{0,10}$"),
    # "返回搜狐，查看更多", "点击阅读更多精彩财经新闻", "查看全部66条评论".
    re.compile(r"^返回.{1,8}[，,]?\s*查看更多$"),
    re.compile(r"^(?:点击)?(?:阅读|查看|浏览)(?:更多|全部).{0,20}$"),
    # A teaser label and its headline on one line: 推荐阅读：绥德交警：8月1日起专项整治….
    re.compile(
        r"^[【\[]?(?:推荐阅读|相关阅读|延伸阅读|相关链接|相关新闻|往期回顾|往期推荐|热门推荐)[】\]]?"
        r"\s*[:：|｜]\s*[^。！？]{1,60}$"
    ),
    # Tag lines: Tag:甲骨文, 标签：, 关键词：.
    re.compile(r"^(?:Tags?|TAG|标签|关键词|关键字)\s*[:：].{0,60}$"),
)

# A comments area under the article (issue 12): its heading ends the article, whatever follows
# (readers' posts are prose too, so no per-line rule can tell them apart).
COMMENTS_HEADING_RE = re.compile(
    r"^[【\[]?(?:热门评论|最新评论|网友评论|全部评论|精彩评论|评论区|读者评论|用户评论|熱門評論|網友評論"
    r"|最新評論)(?:\s*[（(]?\s*\d+\s*(?:条)?\s*[）)]?)?[】\]]?[:：]?$"
)
