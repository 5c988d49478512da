"""The catalogue of every finding the review can give. Ids are stable; add, never renumber."""

from __future__ import annotations

from wxreg.review.findings import Rule, Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# --- submission form (F) -------------------------------------------------------------------------
F001 = Rule(
    "WXR-F001",
    "submission",
    E,
    "缺少必填字段「{field}」",
    "required field '{field}' is missing",
    "编辑 issue 填写该字段 / Edit the issue and fill in this field",
)
F002 = Rule(
    "WXR-F002",
    "submission",
    W,
    "未知的标题「{heading}」已忽略",
    "unknown heading '{heading}' ignored",
    "使用表单模板，不要添加自定义标题 / Use the issue form; do not add headings",
)
F003 = Rule(
    "WXR-F003",
    "submission",
    E,
    "字段「{field}」重复出现",
    "field '{field}' appears more than once",
    "每个字段只保留一次 / Keep each field once",
)
F004 = Rule(
    "WXR-F004",
    "submission",
    E,
    "issue 正文超过 {limit} 个字符",
    "issue body is longer than {limit} characters",
    "缩短描述等长文本 / Shorten long fields such as the description",
)
F005 = Rule(
    "WXR-F005",
    "submission",
    E,
    "字段「{field}」的值无效：{detail}",
    "field '{field}' is invalid: {detail}",
    "按表单说明修改该字段 / Fix the field as the form describes",
)
F006 = Rule(
    "WXR-F006",
    "submission",
    E,
    "提交清单未全部勾选",
    "the submission checklist is not fully ticked",
    "确认并勾选清单中的每一项 / Confirm and tick every checklist item",
)
F007 = Rule(
    "WXR-F007",
    "submission",
    W,
    "字段「{field}」内含疑似其他字段的标题",
    "field '{field}' contains a heading of another field",
    "不要在文本中写 `### 标题` / Do not write `### headings` inside a text field",
)
F008 = Rule(
    "WXR-F008",
    "submission",
    E,
    "issue 正文为空或不是由表单生成",
    "issue body is empty or not made by the form",
    "使用「插件提交」表单新建 issue / Open the issue with the plugin submission form",
)
F009 = Rule(
    "WXR-F009",
    "submission",
    W,
    "未知的选项「{value}」已忽略（字段「{field}」）",
    "unknown option '{value}' ignored in '{field}'",
    "只选择表单提供的选项 / Choose only the options the form offers",
)

# --- fetching the plugin (G) ----------------------------------------------------------------------
G001 = Rule(
    "WXR-G001",
    "source",
    E,
    "不允许的仓库地址：{url}",
    "repository URL is not allowed: {url}",
    "使用 https://github.com/<owner>/<repo> 形式 / Use https://github.com/<owner>/<repo>",
)
G002 = Rule(
    "WXR-G002",
    "source",
    E,
    "仓库中找不到标签 {tag}",
    "tag {tag} was not found in the repository",
    "创建并推送该标签：git tag {tag} && git push origin {tag} / Create and push the tag: git tag {tag} && "
    "git push origin {tag}",
)
G003 = Rule(
    "WXR-G003",
    "source",
    E,
    "标签 {tag} 已移动：之前为 {expected}，现在为 {actual}",
    "tag {tag} moved: it was {expected}, it is now {actual}",
    "发布新版本用新标签，不要移动已发布的标签 / Release with a new tag; never move a published tag",
)
G004 = Rule(
    "WXR-G004",
    "source",
    E,
    "符号链接不会被跟随：{path} -> {target}",
    "symbolic link is not followed: {path} -> {target}",
    "用普通文件替换符号链接 / Replace the link by a regular file",
)
G005 = Rule(
    "WXR-G005",
    "source",
    E,
    "子模块不会被获取：{path}",
    "submodule is not fetched: {path}",
    "将所需代码直接提交到仓库 / Commit the code the plugin needs into the repository",
)
G006 = Rule(
    "WXR-G006",
    "source",
    E,
    "文件数超过上限 {limit}（共 {count} 个）",
    "more than {limit} files ({count})",
    "删除不属于插件的文件 / Remove files that are not part of the plugin",
)
G007 = Rule(
    "WXR-G007",
    "source",
    E,
    "文件过大：{size} 字节（上限 {limit}）",
    "file too large: {size} bytes (limit {limit})",
    "不要提交大文件，改用 Release 附件 / Do not commit large files; attach them to a release",
)
G008 = Rule(
    "WXR-G008",
    "source",
    E,
    "仓库内容总大小 {size} 字节超过上限 {limit}",
    "tree is {size} bytes, over the {limit} limit",
    "缩小仓库内容 / Make the tree smaller",
)
G009 = Rule(
    "WXR-G009",
    "source",
    E,
    "无法获取仓库：{detail}",
    "could not fetch the repository: {detail}",
    "确认仓库公开且地址正确 / Check that the repository is public and the URL is right",
)
G010 = Rule(
    "WXR-G010",
    "source",
    E,
    "不安全的文件路径：{path}",
    "unsafe path in the tree: {path}",
    "重命名该文件 / Rename the file",
)
G011 = Rule(
    "WXR-G011",
    "source",
    W,
    "Gitee 镜像的标签 {tag} 指向 {actual}，与 GitHub 的 {expected} 不同",
    "Gitee mirror has tag {tag} at {actual}, GitHub has it at {expected}",
    "将标签同步到 Gitee / Push the same tag to Gitee",
)
G012 = Rule(
    "WXR-G012",
    "source",
    W,
    "无法核对 Gitee 镜像：{detail}",
    "could not check the Gitee mirror: {detail}",
    "确认 Gitee 仓库公开且含该标签 / Make sure the Gitee repository is public and has the tag",
)
G013 = Rule(
    "WXR-G013",
    "source",
    W,
    "Git LFS 指针文件不会被获取：{path}",
    "Git LFS pointer is not fetched: {path}",
    "直接提交该文件 / Commit the file itself",
)

# --- manifest (M) --------------------------------------------------------------------------------
M001 = Rule(
    "WXR-M001",
    "manifest",
    E,
    "缺少 plugin.json",
    "plugin.json is missing",
    "在仓库根目录添加 plugin.json / Add plugin.json at the root",
)
M002 = Rule(
    "WXR-M002",
    "manifest",
    E,
    "plugin.json 不是有效的 UTF-8 JSON 对象：{detail}",
    "plugin.json is not a UTF-8 JSON object: {detail}",
    "修正 JSON 语法 / Fix the JSON",
)
M003 = Rule(
    "WXR-M003",
    "manifest",
    E,
    "plugin.json 不符合清单模式：{pointer} {detail_zh}",
    "plugin.json breaks the schema at {pointer}: {detail_en}",
    "{hint}",
)
M004 = Rule(
    "WXR-M004",
    "manifest",
    E,
    "提交的{field}为「{submitted}」，plugin.json 中为「{manifest}」",
    "submitted {field} '{submitted}' differs from plugin.json '{manifest}'",
    "让 issue 与 plugin.json 一致 / Make the issue and plugin.json agree",
)
M005 = Rule(
    "WXR-M005",
    "manifest",
    E,
    "版本 {version} 与标签 {tag} 不一致（去掉前导 v 后应相等）",
    "version {version} does not match tag {tag} (equal without a leading v)",
    "用 v{version} 或 {version} 作为标签 / Tag the release v{version} or {version}",
)
M006 = Rule(
    "WXR-M006",
    "manifest",
    E,
    "入口文件 {entry} 不存在",
    "entry point {entry} does not exist",
    "提交入口文件或修正 entry_point / Commit the file or fix entry_point",
)
M007 = Rule(
    "WXR-M007",
    "manifest",
    E,
    "入口文件未定义类 {class_name}",
    "entry point does not define class {class_name}",
    "在入口文件顶层定义该类，或修正 class_name / Define the class at top level or fix class_name",
)
M008 = Rule(
    "WXR-M008",
    "manifest",
    E,
    "入口文件无法解析：{detail}",
    "entry point does not parse: {detail}",
    "修正语法错误 / Fix the syntax error",
)

# --- structure and docs (Q) ----------------------------------------------------------------------
Q001 = Rule(
    "WXR-Q001",
    "structure",
    E,
    "缺少必需文件 {name}",
    "required file {name} is missing",
    "添加 {name} / Add {name}",
)
Q002 = Rule(
    "WXR-Q002",
    "structure",
    INFO,
    "建议添加 {name}",
    "recommended: {name}",
    "添加 {name} 可提高质量分 / Adding {name} raises the quality score",
)
Q003 = Rule(
    "WXR-Q003",
    "structure",
    W,
    "README 缺少「{section}」章节",
    "README has no '{section}' section",
    "添加标题如 {examples} / Add a heading such as {examples}",
)
Q004 = Rule(
    "WXR-Q004",
    "structure",
    W,
    "截图不存在：{shot}",
    "screenshot does not exist: {shot}",
    "提交截图或修正路径 / Commit the screenshot or fix its path",
)
Q005 = Rule(
    "WXR-Q005",
    "structure",
    W,
    "README 过短（{chars} 个字符）",
    "README is very short ({chars} characters)",
    "说明安装、使用和配置 / Explain install, usage and configuration",
)

# --- licence (L) ---------------------------------------------------------------------------------
L001 = Rule(
    "WXR-L001",
    "licence",
    E,
    "许可证「{licence}」不是已知的 SPDX 标识符",
    "licence '{licence}' is not a known SPDX identifier",
    "使用 SPDX 标识符，如 MIT、Apache-2.0 / Use an SPDX id such as MIT or Apache-2.0",
)
L002 = Rule(
    "WXR-L002",
    "licence",
    W,
    "LICENSE 文本看起来不是 {licence}",
    "LICENSE text does not look like {licence}",
    "使用 {licence} 的标准文本 / Use the standard {licence} text",
)
L003 = Rule(
    "WXR-L003",
    "licence",
    W,
    "未声明许可证",
    "no licence declared",
    "在 plugin.json 中设置 license / Set license in plugin.json",
)
L004 = Rule(
    "WXR-L004",
    "licence",
    E,
    "提交的许可证 {submitted} 与 plugin.json 的 {manifest} 不同",
    "submitted licence {submitted} differs from plugin.json {manifest}",
    "让两者一致 / Make them agree",
)

# --- security (S) --------------------------------------------------------------------------------
S101 = Rule(
    "WXR-S101",
    "security",
    W,
    "bandit 发现问题 {test_id}（{severity_text}/{confidence}）：{text}",
    "bandit {test_id} ({severity_text}/{confidence}): {text}",
    (
        "见 {more_info} ；`# nosec` 不会被采纳 / See {more_info} ; `# nosec` is not honoured"
    ),
)
S102 = Rule(
    "WXR-S102",
    "security",
    E,
    "安全扫描失败：{detail}",
    "security scan failed: {detail}",
    "这是审核失败而非通过；请报告给维护者 / A failed scan fails the review; tell the maintainers",
)
S103 = Rule(
    "WXR-S103",
    "security",
    E,
    "bandit 无法解析该文件：{detail}",
    "bandit could not scan this file: {detail}",
    "修正语法错误，未扫描的代码不能通过 / Fix the syntax; unscanned code cannot pass",
)
S104 = Rule(
    "WXR-S104",
    "security",
    INFO,
    "仓库中的 {name} 被忽略（使用注册表自己的 bandit 配置）",
    "{name} in the repository is ignored (the registry's bandit configuration is used)",
    "删除该文件 / Remove the file",
)
S201 = Rule(
    "WXR-S201",
    "security",
    E,
    "疑似混淆：{what}",
    "looks obfuscated: {what}",
    "提交可读源码，不要执行解码后的数据 / Ship readable source; never exec decoded data",
)
S202 = Rule(
    "WXR-S202",
    "security",
    W,
    "长 base64 数据块（{chars} 个字符）",
    "long base64 blob ({chars} characters)",
    "把数据放入单独的资源文件并说明用途 / Move data to a documented resource file",
)
S203 = Rule(
    "WXR-S203",
    "security",
    E,
    "使用 marshal 加载代码对象",
    "loads code objects with marshal",
    "提交源码 / Ship source code",
)
S204 = Rule(
    "WXR-S204",
    "security",
    E,
    "源码含双向控制字符 {chars}（Trojan Source：显示的代码与执行的不同）",
    "source has bidirectional control characters {chars} (Trojan Source: the code shown is not the code run)",
    "删除这些不可见字符 / Remove the invisible characters",
)
S301 = Rule(
    "WXR-S301",
    "security",
    E,
    "提交了二进制或可执行文件：{kind}",
    "committed binary or executable file: {kind}",
    "删除二进制文件，只提交源码 / Remove binaries; ship source only",
)
S302 = Rule(
    "WXR-S302",
    "security",
    W,
    "文件带有可执行权限",
    "file has the executable bit",
    "git update-index --chmod=-x <file>",
)
S401 = Rule(
    "WXR-S401",
    "security",
    E,
    "疑似硬编码密钥：{kind}",
    "looks like a hard-coded secret: {kind}",
    "撤销该密钥，改为从配置读取 / Revoke it and read it from configuration",
)

# --- permissions (P) -----------------------------------------------------------------------------
P001 = Rule(
    "WXR-P001",
    "permissions",
    E,
    "代码使用了未声明的权限 {permission}（{evidence}）",
    "code uses undeclared permission {permission} ({evidence})",
    "在 plugin.json 的 permissions 中声明 {permission}（用 | 隔开的几个任选其一），或删除该用法 / Declare {permission} "
    "in plugin.json's permissions (of several separated by |, any one), or remove the use",
)
P002 = Rule(
    "WXR-P002",
    "permissions",
    INFO,
    "声明了权限 {permission} 但未发现使用",
    "permission {permission} declared but no use found",
    "删除多余的权限 / Drop the unused permission",
)
# Review v2 no longer gives P003: a computed import is dynamic code, WXR-E002 (an error).
P003 = Rule(
    "WXR-P003",
    "permissions",
    W,
    "动态导入或 __import__，无法静态确认权限",
    "dynamic import; permissions cannot be checked statically",
    "使用普通 import / Use plain imports",
)
P004 = Rule(
    "WXR-P004",
    "permissions",
    E,
    "提交的权限与 plugin.json 不同：{detail}",
    "submitted permissions differ from plugin.json: {detail}",
    "让两者一致 / Make them agree",
)

# --- dependencies (D) ----------------------------------------------------------------------------
D001 = Rule(
    "WXR-D001",
    "dependencies",
    E,
    "依赖行含有不允许的选项、URL 或路径：{text}",
    "requirement line has an option, URL or path: {text}",
    "只写 `名称==版本` / Write `name==version` only",
)
D002 = Rule(
    "WXR-D002",
    "dependencies",
    E,
    "无法解析的依赖：{text}（{detail}）",
    "requirement does not parse: {text} ({detail})",
    "使用 PEP 508 格式 / Use PEP 508",
)
D003 = Rule(
    "WXR-D003",
    "dependencies",
    E,
    "依赖 {name} 未固定版本（{spec}）",
    "dependency {name} is not pinned ({spec})",
    "使用 `{name}==X.Y.Z`，审核只能审计固定版本 / Pin it as `{name}==X.Y.Z`; only pinned versions can be audited",
)
D004 = Rule(
    "WXR-D004",
    "dependencies",
    E,
    "{name} {version} 有已知漏洞 {vuln}",
    "{name} {version} has known vulnerability {vuln}",
    "升级到 {fix} / Upgrade to {fix}",
)
D005 = Rule(
    "WXR-D005",
    "dependencies",
    E,
    "依赖审计失败：{detail}",
    "dependency audit failed: {detail}",
    "审计未知即不通过；请稍后编辑 issue 重新审核 / An unknown audit fails; edit the issue to re-run later",
)
D006 = Rule(
    "WXR-D006",
    "dependencies",
    W,
    "requirements.txt 与 plugin.json 的依赖不同：{detail}",
    "requirements.txt and plugin.json dependencies differ: {detail}",
    "让两者一致 / Make them agree",
)
D007 = Rule(
    "WXR-D007",
    "dependencies",
    W,
    "仓库含构建脚本 {name}；审核不会运行它，插件也不应需要它",
    "repository has build script {name}; the review never runs it and a plugin should not need it",
    "删除 {name} / Remove {name}",
)

# --- compatibility (C) ---------------------------------------------------------------------------
C001 = Rule(
    "WXR-C001",
    "compatibility",
    E,
    "python_version「{spec}」不是有效的 PEP 440 约束",
    "python_version '{spec}' is not a PEP 440 specifier",
    "例如 >=3.8 / For example >=3.8",
)
C002 = Rule(
    "WXR-C002",
    "compatibility",
    E,
    "在 Python {minimum} 下无法解析：{detail}",
    "does not parse at Python {minimum}: {detail}",
    "修改代码或提高 python_version / Change the code or raise python_version",
)
C003 = Rule(
    "WXR-C003",
    "compatibility",
    E,
    "min_wxauto_version {min} 大于 max_wxauto_version {max}",
    "min_wxauto_version {min} is greater than max_wxauto_version {max}",
    "交换或修正两者 / Fix the range",
)
C004 = Rule(
    "WXR-C004",
    "compatibility",
    E,
    "未知的操作系统「{os}」",
    "unknown operating system '{os}'",
    "只用 Windows、Linux、Darwin / Use Windows, Linux or Darwin",
)
C005 = Rule(
    "WXR-C005",
    "compatibility",
    W,
    "未声明 {field}",
    "{field} is not declared",
    "在 plugin.json 中声明 / Declare it in plugin.json",
)
C006 = Rule(
    "WXR-C006",
    "compatibility",
    E,
    "提交的{field}为「{submitted}」，plugin.json 中为「{manifest}」",
    "submitted {field} '{submitted}' differs from plugin.json '{manifest}'",
    "让两者一致 / Make them agree",
)

# --- identity (I) --------------------------------------------------------------------------------
I001 = Rule(
    "WXR-I001",
    "identity",
    E,
    "插件 ID「{plugin_id}」不符合规则 ^[a-z][a-z0-9_]{{2,63}}$",
    "plugin id '{plugin_id}' breaks the rule ^[a-z][a-z0-9_]{{2,63}}$",
    "使用小写 ASCII 与下划线 / Use lower-case ASCII and _",
)
I002 = Rule(
    "WXR-I002",
    "identity",
    E,
    "插件 ID 含保留词「{word}」",
    "plugin id uses reserved word '{word}'",
    "换一个 ID / Choose another id",
)
I003 = Rule(
    "WXR-I003",
    "identity",
    E,
    "插件 ID「{plugin_id}」与已有插件「{other}」过于相似（{how}）",
    "plugin id '{plugin_id}' looks like listed plugin '{other}' ({how})",
    "选择明显不同的 ID / Choose a clearly different id",
)
I004 = Rule(
    "WXR-I004",
    "identity",
    E,
    "插件 ID「{plugin_id}」已被移除，不能再次使用（{reason}）",
    "plugin id '{plugin_id}' was removed and cannot be reused ({reason})",
    "换一个 ID / Choose another id",
)
I005 = Rule(
    "WXR-I005",
    "identity",
    E,
    "插件 ID「{plugin_id}」与已移除的「{other}」过于相似（{how}）",
    "plugin id '{plugin_id}' looks like removed plugin '{other}' ({how})",
    "选择明显不同的 ID / Choose a clearly different id",
)
I006 = Rule(
    "WXR-I006",
    "identity",
    E,
    "插件名称「{name}」与已有插件「{other}」过于相似（{how}）",
    "plugin name '{name}' looks like listed plugin '{other}' ({how})",
    "选择明显不同的名称 / Choose a clearly different name",
)
I007 = Rule(
    "WXR-I007",
    "identity",
    E,
    "名称含不可见或混淆字符：{detail}",
    "name has invisible or confusable characters: {detail}",
    "只用常规字符 / Use ordinary characters",
)

# --- ownership (O) -------------------------------------------------------------------------------
O001 = Rule(
    "WXR-O001",
    "ownership",
    E,
    "提交者 {user} 不拥有仓库 {repo} 且无写权限",
    "submitter {user} neither owns {repo} nor has write access",
    "由仓库所有者提交 / Submit from the owning account",
)
O002 = Rule(
    "WXR-O002",
    "ownership",
    E,
    "更新必须来自已登记的仓库 {expected}（提交的是 {actual}）",
    "an update must come from the repository on record {expected} (got {actual})",
    "从原仓库发布，或联系维护者迁移 / Release from the recorded repository or ask the maintainers",
)
O003 = Rule(
    "WXR-O003",
    "ownership",
    E,
    "无法确认所有权：{detail}",
    "ownership could not be confirmed: {detail}",
    "稍后编辑 issue 重新审核 / Edit the issue to re-run later",
)

# --- the review itself (X) -----------------------------------------------------------------------
X001 = Rule(
    "WXR-X001",
    "review",
    E,
    "检查 {check} 内部出错：{detail}",
    "check {check} crashed: {detail}",
    "这是审核失败而非通过；请报告给维护者 / A crashed check fails the review; tell the maintainers",
)

# --- review v2 (issue #9): capabilities (P), dynamic code (E), files and source as CPython reads them (K) --
P005 = Rule(
    "WXR-P005",
    "permissions",
    E,
    "导入的模块 {module} 不在能力表中，无法说明它能做什么",
    "imported module {module} is not in the capability table, so what it can do cannot be explained",
    (
        "若是插件自己的模块，请随插件提交；否则请维护者通过 PR 把它加入 registry/capabilities.json（像代码一样审核）"
        " / If it is your own module, commit it; otherwise ask a maintainer to add it to"
        " registry/capabilities.json by a pull request (reviewed like code)"
    ),
)
P006 = Rule(
    "WXR-P006",
    "permissions",
    E,
    "能力表未说明 {evidence} 的用途",
    "the capability table does not explain {evidence}",
    (
        "改用表中列出的函数；如确需使用，请维护者把该属性加入 registry/capabilities.json"
        " / Use a listed function, or ask a maintainer to add the attribute to registry/capabilities.json"
    ),
)
E001 = Rule(
    "WXR-E001",
    "dynamic",
    E,
    "动态执行代码：{evidence}",
    "executes dynamic code: {evidence}",
    "删除 exec/eval/compile/runpy 等用法，直接写出代码 / Remove exec, eval, compile, runpy and friends; write the code",
)
E002 = Rule(
    "WXR-E002",
    "dynamic",
    E,
    "名称在运行时才拼出，无法静态审核：{evidence}",
    "a name computed at run time cannot be reviewed: {evidence}",
    "使用普通的 import 和属性访问，名称写成字面量 / Use plain imports and attribute access with literal names",
)
E003 = Rule(
    "WXR-E003",
    "dynamic",
    E,
    "模块或内省函数被当作值传递，无法跟踪：{evidence}",
    "a module or an introspection builtin is passed around where it cannot be followed: {evidence}",
    (
        "直接调用需要的函数（如 `os.path.join(...)`），不要传递模块对象"
        " / Call what you need directly; do not pass modules around"
    ),
)
E004 = Rule(
    "WXR-E004",
    "dynamic",
    E,
    "通过内省访问解释器内部：{evidence}",
    "reaches interpreter internals by introspection: {evidence}",
    (
        "不要使用 __globals__/__subclasses__/__builtins__/vars()/globals() 或帧对象 / Do not use __globals__,"
        " __subclasses__, __builtins__, vars(), globals() or frame objects"
    ),
)
E005 = Rule(
    "WXR-E005",
    "dynamic",
    E,
    "反序列化可执行代码的数据格式：{evidence}",
    "deserialises a format that can run code: {evidence}",
    "改用 json 或 yaml.safe_load / Use json or yaml.safe_load",
)
E006 = Rule(
    "WXR-E006",
    "dynamic",
    E,
    "调用本机代码：{evidence}",
    "calls native code: {evidence}",
    "插件只能包含可审核的 Python 源码 / A plugin may only contain reviewable Python source",
)
E007 = Rule(
    "WXR-E007",
    "dynamic",
    E,
    "运行时安装软件包：{evidence}",
    "installs packages at run time: {evidence}",
    (
        "在 plugin.json 的 dependencies 与 requirements.txt 中声明依赖"
        " / Declare dependencies in plugin.json and requirements.txt"
    ),
)
E008 = Rule(
    "WXR-E008",
    "dynamic",
    E,
    "下载并执行：{evidence}",
    "downloads and executes: {evidence}",
    "插件不得下载并运行代码 / A plugin must never download and run code",
)
E009 = Rule(
    "WXR-E009",
    "dynamic",
    E,
    "从有能力的模块星号导入，无法跟踪用到的名称：{evidence}",
    "star import from a module with capabilities; the names used cannot be followed: {evidence}",
    "逐个导入需要的名称 / Import the names you use one by one",
)
K001 = Rule(
    "WXR-K001",
    "files",
    E,
    "源码无法按 CPython 的方式读取：{detail}",
    "source cannot be read as CPython reads it: {detail}",
    "用 UTF-8 保存文件，删除 coding 声明或改为 utf-8 / Save as UTF-8; drop the coding declaration or make it utf-8",
)
K002 = Rule(
    "WXR-K002",
    "files",
    E,
    "会被 Python 自动执行或导入的文件：{kind}",
    "a file Python runs or imports by itself: {kind}",
    "删除该文件 / Remove the file",
)
K003 = Rule(
    "WXR-K003",
    "files",
    E,
    "无法归类的文件：{detail}",
    "file of no allowed kind: {detail}",
    (
        "只提交源码、文档与允许的数据文件（图片、JSON、YAML、TOML、文本） / Commit only source, docs and allowed"
        " data files (images, JSON, YAML, TOML, text)"
    ),
)
K004 = Rule(
    "WXR-K004",
    "files",
    E,
    "文件内容与类型不符：{detail}",
    "file content does not match its type: {detail}",
    "删除或修正该文件 / Remove or fix the file",
)
K005 = Rule(
    "WXR-K005",
    "files",
    E,
    "文件中藏有压缩包或可执行文件：{detail}",
    "an archive or executable is hidden in the file: {detail}",
    "删除附加的数据 / Remove the appended data",
)
K006 = Rule(
    "WXR-K006",
    "files",
    E,
    "路径在 Windows 或 macOS 上有歧义：{detail}",
    "path is ambiguous on Windows or macOS: {detail}",
    "重命名该文件 / Rename the file",
)
K007 = Rule(
    "WXR-K007",
    "files",
    E,
    "数据文件中含 Python 代码：{detail}",
    "Python code in a data file: {detail}",
    "代码放进 .py 文件 / Put code in .py files",
)
K008 = Rule(
    "WXR-K008",
    "compatibility",
    E,
    "代码在声明的最高 Python {maximum} 上无法解析：{detail}",
    "code does not parse on the highest declared Python {maximum}: {detail}",
    "修正语法或修改 plugin.json 的 python_version / Fix the syntax or python_version in plugin.json",
)

# --- approval integrity: ownership of a listed plugin id (d-approval) ------------------------------
O004 = Rule(
    "WXR-O004",
    "ownership",
    E,
    "{user} 不是 {plugin_id} 的登记所有者 {owner}，plugin.json 的 maintainers 也没有列出 {user}，"
    "{user} 也不是 {org} 的公开成员",
    "{user} is not {plugin_id}'s owner on record {owner}, is not listed in plugin.json's maintainers, and is not a "
    "public member of {org}",
    "由登记的所有者提交，或在 plugin.json 中加入 \"maintainers\": [\"{user}\"] 并发布新标签，或公开组织成员身份 / "
    "Submit as the owner on record, or add \"maintainers\": [\"{user}\"] to plugin.json in a new tag, or make your "
    "organisation membership public",
)

# --- supply chain and identity (c-supply, issue #10) ---------------------------------------------
D008 = Rule(
    "WXR-D008",
    "dependencies",
    E,
    "{name}=={version} 在软件包索引上不存在",
    "{name}=={version} does not exist on the package index",
    "检查名称与版本的拼写，只固定已发布的版本 / Check the spelling; pin a released version",
)
D009 = Rule(
    "WXR-D009",
    "dependencies",
    E,
    "{name}=={version} 已被撤回（yanked）：{reason}",
    "{name}=={version} was yanked from the package index: {reason}",
    "改用未撤回的版本 / Pin a release that is not yanked",
)
D010 = Rule(
    "WXR-D010",
    "dependencies",
    E,
    "无法向软件包索引核实 {name}=={version}（审核方的问题：{detail}）",
    "could not check {name}=={version} on the package index (our side: {detail})",
    "无法核实即不通过；稍后编辑 issue 重新审核 / Unchecked fails; edit the issue to re-run later",
)
D011 = Rule(
    "WXR-D011",
    "dependencies",
    E,
    "依赖 {name} 很像常用包 {popular}（{how}），疑似仿冒",
    "dependency {name} imitates popular package {popular} ({how}): a possible typosquat",
    "改用 {popular}；若确实需要 {name}，请在 issue 中说明，由维护者审核 / Use {popular}, "
    "or explain why you need {name} so a maintainer can check it",
)
D012 = Rule(
    "WXR-D012",
    "dependencies",
    E,
    "代码导入了 {module}，但未声明依赖 {distribution}",
    "code imports {module} but dependency {distribution} is not declared",
    "在 requirements.txt 与 plugin.json 中加入 `{distribution}==版本` / Declare `{distribution}==X.Y.Z`",
)
D013 = Rule(
    "WXR-D013",
    "dependencies",
    W,
    "声明了依赖 {name}，但运行时代码从未导入它",
    "dependency {name} is declared but runtime code never imports it",
    "删除不用的依赖 / Remove the unused dependency",
)
S105 = Rule(
    "WXR-S105",
    "security",
    E,
    "GuardDog 规则 {rule} 命中：{message}",
    "GuardDog rule {rule} matched: {message}",
    "删除该代码；如为误报请在 issue 中说明 / Remove this code; if it is a false positive, say so in the issue",
)
S106 = Rule(
    "WXR-S106",
    "security",
    E,
    "GuardDog 扫描失败：{detail}",
    "GuardDog scan failed: {detail}",
    "扫描失败即不通过；请报告给维护者或稍后重新审核 / A failed scan fails the review; re-run later or tell us",
)
P020 = Rule(
    "WXR-P020",
    "permissions",
    INFO,
    "GuardDog 发现能力 {rule}：{message}",
    "GuardDog sees capability {rule}: {message}",
    "确认 plugin.json 声明了对应权限 / Make sure plugin.json declares the matching permission",
)
I008 = Rule(
    "WXR-I008",
    "identity",
    E,
    "{field} 含保留词或官方身份声明「{word}」",
    "{field} uses a reserved word or claims an official status: '{word}'",
    "不要冒称官方、认证或安全补丁；描述插件做什么即可 / Do not claim to be official, verified or a "
    "security patch; describe what the plugin does",
)
I009 = Rule(
    "WXR-I009",
    "identity",
    E,
    "{field} 混用文字或含易混字符：{detail}",
    "{field} mixes scripts or uses look-alike characters: {detail}",
    "只用一种文字书写每个词（中文与英文混排可以）/ Write each word in one script (Chinese beside Latin is fine)",
)

# --- behaviour (B): what the code does with what it may do (issue #17) -----------------------------------
B001 = Rule(
    "WXR-B001",
    "behaviour",
    E,
    "敏感数据外流：{source}（{source_at}）流向 {sink}（{sink_at}）",
    "sensitive data flows out: {source} ({source_at}) reaches {sink} ({sink_at})",
    "只发送插件自己的设置（配置中的 API 密钥或一个具名环境变量）到文档写明的接口；不要读取整个环境变量、"
    "密钥文件、其他应用（含微信）的数据、剪贴板、键盘或屏幕再外发 / Send only what the plugin owns (its API key from "
    "its config or one named environment variable) to the endpoint it documents; never read the whole "
    "environment, key files, other apps' data (WeChat's included), the clipboard, keyboard or screen and send it",
)
B002 = Rule(
    "WXR-B002",
    "behaviour",
    E,
    "持久化（开机自启）：{what}",
    "persistence (runs itself at start-up): {what}",
    "插件只在 WXAUTO-MGT 运行时工作，不写自启动目录、Run 注册表键、shell 配置、cron、systemd、launchd 或计划任务"
    "（声明任何权限都不允许） / A plugin runs only inside WXAUTO-MGT: never write autostart folders, Run keys, shell "
    "profiles, cron, systemd, launchd or scheduled tasks (no permission allows it)",
)
B003 = Rule(
    "WXR-B003",
    "behaviour",
    E,
    "伪装的命令：{what}",
    "disguised command: {what}",
    "用明文写出要运行的固定程序和参数（列表形式，不用 shell）；不要编码命令、不要下载后执行、不要借用 certutil、"
    "mshta 等系统程序 / Run a fixed, plainly written program with list arguments (no shell); never encode a command, "
    "pipe a download into a shell, or borrow certutil, mshta and similar system binaries",
)
B004 = Rule(
    "WXR-B004",
    "behaviour",
    E,
    "聊天机器人 Webhook 或数据收集端点：{what}",
    "chat-bot webhook or data-collection endpoint: {what}",
    "若插件的功能就是推送到该群机器人，请在 README 说明并请维护者豁免（/waive 附理由）；否则删除 / If posting to "
    "that bot is the plugin's documented purpose, say so in the README and ask a maintainer to waive it with a "
    "reason; otherwise remove it",
)
B005 = Rule(
    "WXR-B005",
    "behaviour",
    E,
    "直接使用 IP 地址作为网络端点：{what}",
    "raw IP address as a network endpoint: {what}",
    "使用文档写明的域名；本机服务用 127.0.0.1/localhost；确需局域网地址时让用户在配置中填写，或请维护者豁免 / Use "
    "the documented host name; a local service on 127.0.0.1/localhost is fine; let the user configure a LAN "
    "address, or ask a maintainer to waive it",
)
B006 = Rule(
    "WXR-B006",
    "behaviour",
    E,
    "最小权限：声明了读取敏感数据的权限 {source_permission}，又声明了代码并未使用的 {unused}",
    "least privilege: declares the sensitive-source permission {source_permission} together with {unused}, "
    "which the code does not use",
    "从 plugin.json 删除不用的网络/命令权限：读数据的插件不应预留外发能力 / Remove the unused network or command "
    "permission from plugin.json: a plugin that reads data must not keep a way out it does not need",
)
B007 = Rule(
    "WXR-B007",
    "behaviour",
    E,
    "代码嵌套过深，无法分析其行为：{what}",
    "code nested too deeply for the behaviour analysis: {what}",
    "把超长的表达式拆成几条语句（如用列表和 \"\".join 拼接字符串）；正常代码不会嵌套数百层 / Split the very long "
    "expression into statements (build a string with a list and \"\".join, for example); ordinary code is never "
    "nested hundreds of levels deep",
)

ALL_RULES: dict[str, Rule] = {value.id: value for value in list(globals().values()) if isinstance(value, Rule)}
