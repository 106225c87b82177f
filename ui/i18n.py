"""UI text in English and Simplified Chinese. Chosen from the cookie, else the browser's Accept-Language."""

from __future__ import annotations

LANGUAGES = ("en", "zh-CN")
TEXT: dict[str, tuple[str, str]] = {
    "app.tagline": ("Answers from your company's documents, with sources", "基于公司文档的问答，每个答案都有出处"),
    "nav.chat": ("Chat", "问答"),
    "nav.documents": ("Documents", "文档"),
    "nav.admin": ("Admin", "管理"),
    "nav.usage": ("Usage", "用量"),
    "nav.signout": ("Sign out", "退出"),
    "nav.language": ("中文", "English"),
    "login.title": ("Sign in", "登录"),
    "login.user": ("User name", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Sign in", "登录"),
    "login.failed": ("Wrong user name or password.", "用户名或密码错误。"),
    "login.throttled": (
        "Too many failed sign-ins. Try again in {} seconds.",
        "登录失败次数过多，请 {} 秒后再试。",
    ),
    "chat.new": ("New chat", "新对话"),
    "chat.conversations": ("Conversations", "对话"),
    "chat.empty": ("No conversations yet.", "还没有对话。"),
    "chat.placeholder": ("Ask a question about your documents…", "输入关于文档的问题…"),
    "chat.send": ("Send", "发送"),
    "chat.collection": ("Collection", "知识库"),
    "chat.all": ("All I can read", "全部可读"),
    "chat.welcome": (
        "Ask anything; every answer cites the passages it comes from.",
        "随便问；每个答案都会标注来源段落。",
    ),
    "chat.copy": ("Copy", "复制"),
    "chat.copied": ("Copied", "已复制"),
    "chat.helpful": ("Helpful", "有帮助"),
    "chat.unhelpful": ("Not helpful", "没帮助"),
    "chat.delete": ("Delete conversation", "删除对话"),
    "chat.mode.extractive": (
        "Answered from the documents without a language model.",
        "未使用大模型，答案直接摘自文档。",
    ),
    "chat.mode.blocked": ("This turn was blocked by the content policy.", "本轮对话因内容规范被拦截。"),
    "chat.mode.no_answer": ("No relevant documents were found.", "没有找到相关文档。"),
    "chat.reset": ("The answer was restarted: ", "答案已重新生成："),
    "chat.thinking": ("Searching…", "检索中…"),
    "cite.title": ("Source", "来源"),
    "cite.page": ("page {}", "第 {} 页"),
    "cite.download": ("Download original", "下载原文件"),
    "cite.close": ("Close", "关闭"),
    "docs.title": ("Documents", "文档"),
    "docs.drop": (
        "Drop files here or press to choose (PDF, DOCX, HTML, Markdown, text)",
        "将文件拖到这里，或点击选择（PDF、DOCX、HTML、Markdown、文本）",
    ),
    "docs.search": ("Search titles", "搜索标题"),
    "docs.status": ("Status", "状态"),
    "docs.any": ("Any", "全部"),
    "docs.col.title": ("Title", "标题"),
    "docs.col.collection": ("Collection", "知识库"),
    "docs.col.status": ("Status", "状态"),
    "docs.col.chunks": ("Chunks", "分块"),
    "docs.col.pages": ("Pages", "页数"),
    "docs.col.size": ("Size", "大小"),
    "docs.col.updated": ("Updated", "更新时间"),
    "docs.col.actions": ("Actions", "操作"),
    "docs.reindex": ("Re-index", "重建索引"),
    "docs.delete": ("Delete", "删除"),
    "docs.confirm.delete": ("Delete “{}” and all its chunks?", "删除“{}”及其全部分块？"),
    "docs.confirm.reindex": ("Re-index “{}”?", "重建“{}”的索引？"),
    "docs.prev": ("Previous", "上一页"),
    "docs.next": ("Next", "下一页"),
    "docs.page": ("Page {} of {}", "第 {} / {} 页"),
    "docs.none": ("No documents.", "没有文档。"),
    "docs.uploading": ("Uploading", "上传中"),
    "docs.duplicate": ("Already in the library", "文档已存在"),
    "status.queued": ("Queued", "排队中"),
    "status.parsing": ("Parsing", "解析中"),
    "status.embedding": ("Embedding", "向量化中"),
    "status.ready": ("Ready", "就绪"),
    "status.failed": ("Failed", "失败"),
    "admin.users": ("Users", "用户"),
    "admin.groups": ("Groups", "用户组"),
    "admin.collections": ("Collections", "知识库"),
    "admin.keys": ("API keys", "API 密钥"),
    "admin.name": ("Name", "名称"),
    "admin.role": ("Role", "角色"),
    "admin.password": ("Password (8+ characters)", "密码（至少 8 位）"),
    "admin.create": ("Create", "创建"),
    "admin.read_groups": ("Read groups (comma-separated)", "可读用户组（逗号分隔）"),
    "admin.write_groups": ("Write groups", "可写用户组"),
    "admin.members": ("Members", "成员"),
    "admin.user": ("User", "用户"),
    "admin.prefix": ("Key", "密钥"),
    "admin.status": ("Status", "状态"),
    "admin.revoke": ("Revoke", "吊销"),
    "admin.revoked": ("revoked", "已吊销"),
    "admin.active": ("active", "有效"),
    "admin.key_once": ("Copy this key now; it will not be shown again:", "请立即复制此密钥，之后将不再显示："),
    "admin.confirm.revoke": ("Revoke key {}?", "吊销密钥 {}？"),
    "admin.confirm.delete": ("Delete user {}?", "删除用户 {}？"),
    "admin.save": ("Save", "保存"),
    "admin.groups_field": ("Groups (comma-separated)", "用户组（逗号分隔）"),
    "usage.title": ("Usage", "用量"),
    "usage.tokens_day": ("Tokens per day", "每日 Token"),
    "usage.cost_day": ("Cost per day", "每日费用"),
    "usage.per_model": ("Tokens per model", "各模型 Token"),
    "usage.per_user": ("Tokens per user", "各用户 Token"),
    "usage.prompt": ("prompt", "输入"),
    "usage.completion": ("completion", "输出"),
    "usage.none": ("No usage recorded yet.", "暂无用量记录。"),
    "usage.zero": (
        "All zero so far (extractive answers cost nothing; set KNOWBASE_PRICES for LLM costs).",
        "目前均为零（摘录式回答不产生费用；可通过 KNOWBASE_PRICES 设置大模型价格）。",
    ),
    "error.forbidden": ("This page is for admins only.", "此页面仅限管理员访问。"),
    "common.loading": ("Loading…", "加载中…"),
}


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "en"


def translations(language: str) -> dict[str, str]:
    index = 1 if language == "zh-CN" else 0
    return {key: pair[index] for key, pair in TEXT.items()}
