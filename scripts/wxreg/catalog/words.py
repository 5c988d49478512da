"""Every text of the catalog in both languages: Simplified Chinese first, then English.

A page is rendered once per language (``LANGUAGES``); templates read ``T.<key>`` for the page's
language, so neither language depends on JavaScript to be read.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("zh", "en")
HTML_LANG = {"zh": "zh-Hans", "en": "en"}

TEXT: Mapping[str, tuple[str, str]] = {
    "site_title": ("WXAUTO-MGT 插件市场", "WXAUTO-MGT plugin catalog"),
    "tagline": ("经过审核、固定到提交与内容摘要的插件。",
                "Reviewed plugins, each pinned to a commit and a content digest."),
    "skip": ("跳到正文", "Skip to content"),
    "switch_to": ("English", "中文"),
    "nav": ("站点导航", "Site navigation"),
    "os_unstated": ("未声明系统", "OS not stated"),
    "search": ("搜索", "Search"),
    "search_hint": ("名称、描述或标签", "name, description or tag"),
    "category": ("分类", "Category"),
    "os": ("操作系统", "Operating system"),
    "permission": ("需要的权限", "Needs permission"),
    "any": ("全部", "Any"),
    "sort": ("排序", "Sort by"),
    "sort_updated": ("最近更新", "Recently updated"),
    "sort_newest": ("最新上架", "Newest"),
    "sort_downloads": ("下载量", "Downloads"),
    "sort_stars": ("星标数", "Stars"),
    "count": ("共 {n} 个插件", "{n} plugins"),
    "noscript": ("搜索、筛选和排序需要 JavaScript；下面按最近更新列出全部插件。",
                 "Search, filters and sorting need JavaScript; every plugin is listed below, recently updated first."),
    "empty": ("注册表中还没有插件。", "No plugins are listed yet."),
    "more": ("显示更多（还有 {n} 个）", "Show more ({n} left)"),
    "no_match": ("没有符合条件的插件。", "No plugin matches."),
    "updated": ("更新于", "Updated"),
    "created": ("上架于", "Listed"),
    "downloads": ("下载", "Downloads"),
    "stars": ("星标", "Stars"),
    "verified": ("已验证", "Verified"),
    "featured": ("推荐", "Featured"),
    "revoked": ("已撤销", "Revoked"),
    "warned": ("安全警告", "Advisory"),
    "all_versions": ("所有版本", "all versions"),
    "back": ("返回插件列表", "Back to the list"),
    "facts": ("基本信息", "About"),
    "plugin_id": ("插件 ID", "Plugin id"),
    "author": ("作者", "Author"),
    "license": ("许可证", "License"),
    "python": ("Python 版本", "Python version"),
    "wxauto": ("WXAUTO-MGT 版本", "WXAUTO-MGT version"),
    "homepage": ("主页", "Homepage"),
    "repository": ("源代码", "Source code"),
    "mirror": ("镜像", "Mirror"),
    "documentation": ("文档", "Documentation"),
    "issue_tracker": ("问题反馈", "Issue tracker"),
    "submission": ("提交记录", "Submission"),
    "tags": ("标签", "Tags"),
    "description": ("介绍", "Description"),
    "features": ("功能", "Features"),
    "permissions": ("权限与能力", "Permissions and capabilities"),
    "no_permissions": ("此插件不申请任何权限。", "This plugin asks for no permission."),
    "dependencies": ("依赖", "Dependencies"),
    "no_dependencies": ("无第三方依赖。", "No third-party dependencies."),
    "review": ("审核结果", "Review"),
    "security_score": ("安全分", "Security score"),
    "quality_score": ("质量分", "Quality score"),
    "reviewer": ("审核者", "Reviewer"),
    "review_date": ("审核日期", "Review date"),
    "findings": ("审核结论", "Findings summary"),
    "not_reviewed": ("没有公开的审核记录。", "No published review record."),
    "pinned": ("审核固定的版本", "What the review pinned"),
    "tag": ("标签（tag）", "Tag"),
    "commit": ("提交", "Commit"),
    "digest": ("内容摘要", "Content digest"),
    "history": ("版本历史", "Version history"),
    "version": ("版本", "Version"),
    "date": ("日期", "Date"),
    "latest": ("最新", "latest"),
    "install": ("安装", "Install"),
    "install_client": ("在 WXAUTO-MGT 中：打开「插件市场」，搜索 {id}，安装 {version}。",
                       "In WXAUTO-MGT: open the plugin marketplace, search for {id} and install {version}."),
    "install_verified": ("或用参考客户端下载固定的提交并校验内容摘要：",
                         "Or download the pinned commit with the reference consumer, which checks the content digest:"),
    "revocations": ("撤销与安全公告", "Revocations and advisories"),
    "revoked_banner": ("此插件的部分或全部版本已被撤销，请勿安装受影响的版本。",
                       "Some or all versions of this plugin are revoked: do not install the affected versions."),
    "warned_banner": ("此插件有安全公告，安装前请阅读。", "This plugin has an advisory: read it before installing."),
    "affected": ("受影响的版本", "Affected versions"),
    "reason": ("原因", "Reason"),
    "severity": ("级别", "Severity"),
    "advisory": ("公告", "Advisory"),
    "extras": ("其他公开数据", "Other published data"),
    "queue": ("审核队列", "Review queue"),
    "queue_intro": ("正在等待的提交，最早的在前。", "Submissions waiting, oldest first."),
    "state": ("状态", "State"),
    "waiting_since": ("等待自", "Waiting since"),
    "queue_empty": ("队列为空。", "The queue is empty."),
    "queue_link": ("查看审核队列", "See the review queue"),
    "registry_link": ("registry.json（客户端读取的文件）", "registry.json (what clients read)"),
    "footer": ("此站点由 wxreg site 从注册表生成。", "Generated from the registry by wxreg site."),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}

EXTRA_TITLES: Mapping[str, tuple[str, str]] = {
    "waivers": ("维护者豁免", "Maintainer waivers"),
    "endpoints": ("网络端点", "Network endpoints"),
    "advisories": ("安全公告", "Advisories"),
    "findings": ("审核发现", "Findings"),
    "capabilities": ("能力", "Capabilities"),
}
"""Headings for top-level entry keys other engineers' features publish; any other key shows its own name."""

PERMISSIONS: Mapping[str, tuple[str, str]] = {
    "network.http": ("通过 HTTP 访问网络（未加密）", "Reach the network over plain HTTP (unencrypted)"),
    "network.https": ("通过 HTTPS 访问网络", "Reach the network over HTTPS"),
    "network.socket": ("打开任意网络连接（socket）", "Open any network connection (sockets)"),
    "file.read": ("读取电脑上的文件", "Read files on your computer"),
    "file.write": ("创建、修改或删除电脑上的文件", "Create, change or delete files on your computer"),
    "file.execute": ("运行程序或加载本机代码库", "Run programs or load native code libraries"),
    "config.read": ("读取 WXAUTO-MGT 的配置", "Read WXAUTO-MGT's configuration"),
    "config.write": ("修改 WXAUTO-MGT 的配置", "Change WXAUTO-MGT's configuration"),
    "database.read": ("读取数据库", "Read databases"),
    "database.write": ("写入数据库", "Write to databases"),
    "message.process": ("读取并处理收到的微信消息", "Read and process the WeChat messages you receive"),
    "message.send": ("以你的身份发送微信消息", "Send WeChat messages as you"),
    "system.command": ("执行系统命令", "Run system commands"),
    "system.registry": ("读写 Windows 注册表", "Read and write the Windows registry"),
}
"""The 14 permissions the WXAUTO-MGT client knows, in plain words."""

SENSITIVE = frozenset({"network.socket", "file.write", "file.execute", "config.write", "message.send",
                       "system.command", "system.registry", "database.write"})
"""Permissions shown highlighted: they let a plugin change things or act on the user's behalf."""

OS_NAMES: Mapping[str, tuple[str, str]] = {
    "Windows": ("Windows", "Windows"),
    "Linux": ("Linux", "Linux"),
    "Darwin": ("macOS", "macOS"),
}

CATEGORY_NAMES_EN: Mapping[str, str] = {
    "ai_platform": "AI platforms", "automation": "Automation", "integration": "Integration",
    "utility": "Utilities", "entertainment": "Entertainment", "other": "Other",
}
"""English names of the registry's categories (``categories.json`` names them in Chinese only)."""

SEVERITY_NAMES: Mapping[str, tuple[str, str]] = {
    "block": ("禁止安装", "install refused"),
    "warn": ("警告", "warning"),
    "critical": ("严重", "critical"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGUAGES.index(lang)]


def texts(lang: str) -> dict[str, str]:
    return {key: pick(pair, lang) for key, pair in TEXT.items()}
